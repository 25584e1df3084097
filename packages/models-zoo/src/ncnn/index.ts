export { type NcnnLoadOptions, NcnnModel } from './model';
export { type NcnnGraph, type NcnnLayer, type NcnnParamValue, parseNcnnParam } from './param';
export { type NcnnLayerWeights, readNcnnWeights } from './weights';
