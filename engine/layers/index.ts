// Importing this module registers every op of the model format (docs/file-format.md lists them).
import './inputs';
import './dense';
import './conv';
import './shape';
import './activations';
import './norm';
import './math';
import './losses';
