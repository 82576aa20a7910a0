import { describe, expect, it } from 'vitest';

import {
  activationName,
  apiLabel,
  formatCount,
  formatNumber,
  formatShape,
  formatShapes,
  formatValue
} from '../format';

describe('shapes the Keras way', () => {
  it('writes null dims as None', () => {
    expect(formatShape([null, 100, 512])).toBe('(None, 100, 512)');
    expect(formatShape([null, 64])).toBe('(None, 64)');
    expect(formatShape([32, 32, 3])).toBe('(32, 32, 3)');
  });

  it('writes one dimension as a Python tuple and no dimension as ()', () => {
    expect(formatShape([null])).toBe('(None,)');
    expect(formatShape([])).toBe('()');
    expect(formatShape(null)).toBe('?');
  });

  it('lists several shapes like model.summary()', () => {
    expect(formatShapes([[null, 1]])).toBe('(None, 1)');
    expect(
      formatShapes([
        [null, 1],
        [null, 2, 3]
      ])
    ).toBe('[(None, 1), (None, 2, 3)]');
    expect(formatShapes([])).toBe('');
  });
});

describe('numbers', () => {
  it('puts thousands separators in counts', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(25636712)).toBe('25,636,712');
    expect(formatCount(-1234567)).toBe('-1,234,567');
  });

  it('keeps statistics short', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1e-7)).toBe('1.000e-7');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });

  it('names the API', () => {
    expect(apiLabel('functional')).toBe('Functional');
    expect(apiLabel('subclassed')).toBe('Subclassed model');
  });
});

describe('config values as Python literals', () => {
  it('writes JSON values the way Python prints them', () => {
    expect(formatValue(null)).toBe('None');
    expect(formatValue(true)).toBe('True');
    expect(formatValue('relu')).toBe("'relu'");
    expect(formatValue([3, 3])).toBe('[3, 3]');
    expect(formatValue({ seed: null, mode: 'fan_in' })).toBe("{'seed': None, 'mode': 'fan_in'}");
  });

  it('caps long values and does not recurse', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50000; i++) {
      deep = [deep];
    }
    const text = formatValue(deep, 100);
    expect(text.length).toBe(101);
    expect(text.endsWith('…')).toBe(true);
  });

  it('finds the activation name', () => {
    expect(activationName({ activation: 'relu' })).toBe('relu');
    expect(
      activationName({
        activation: {
          module: 'keras.activations',
          class_name: 'function',
          config: 'gelu',
          registered_name: 'gelu'
        }
      })
    ).toBe('gelu');
    expect(activationName({ units: 3 })).toBeNull();
    expect(activationName(null)).toBeNull();
  });
});
