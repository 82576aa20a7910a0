/* The style module of the kerasviz labextension: JupyterLab loads it with the extension. */
import './base.css';
