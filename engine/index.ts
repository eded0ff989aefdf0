/**
 * Backprop Studio's autograd engine: tensors, ops with their backward rules, optimizers, the graph
 * compiler for *.nn.json models and safetensors I/O. Pure TypeScript with no dependencies: it runs in
 * Node, in worker threads and in the browser, and reads and writes bytes, never paths.
 */
import { setBackend } from './backend/backend';
import { CpuBackend } from './backend/cpu';

setBackend(new CpuBackend());

export { Tensor, type TensorData } from './tensor';
export { noGrad, noGradAsync, isGradEnabled, record, withScope, type GradNode, type BackwardEvent, type BackwardOptions } from './autograd';
export { setBackend, backend, type Backend, type DType, type FloatPrecision, type HostData, type Storage } from './backend/backend';
export { CpuBackend } from './backend/cpu';
export { WebGpuBackend } from './backend/webgpu';
export type { GpuDevice, GpuAdapter, Gpu } from './backend/webgpu/gpu';
export { readScalars } from './backend/readback';
export { useWasmKernels, useTypeScriptKernels, installKernels, kernelInfo, describeKernels, type KernelInfo } from './backend/wasm/install';
export { KERNEL_FILES, type KernelBinaries, type KernelFlavour } from './backend/wasm/binaries';
export { WasmKernels, type KernelOptions, type StartKernelWorkers } from './backend/wasm/wasmKernels';
export { serveKernelJobs, retireKernelWorker } from './backend/wasm/jobs';

export * from './shape';
export * from './ops';
export { Random } from './nn/random';
export * as init from './nn/init';
export { Optimizer, type OptimizerState } from './optim/optimizer';
export { SGD, type SgdOptions } from './optim/sgd';
export { Adam, AdamW, type AdamOptions } from './optim/adam';
export { createOptimizer } from './optim/fromJson';

// The model format: registry, validation and shape inference, the runnable graph.
export * from './graph/types';
export { type AttrSpec, type AttrType, type Attrs, type AttrValue, checkAttr } from './graph/attrs';
export {
  allOps,
  getOp,
  portNames,
  resolveAttrs,
  valuesOf,
  CATEGORIES,
  type Category,
  type OpSpec,
  type OpFlops,
  type ParamSpec,
  type InputSpec,
} from './graph/registry';
export { analyzeModel, parseModel, ID_PATTERN, LIMITS, type GraphAnalysis, type NodeInfo, type ParamInfo } from './graph/analyze';
export {
  GraphModel,
  FeedError,
  ActivationBudgetError,
  initValues,
  type ForwardOptions,
  type ForwardPass,
  type ModelOptions,
  type StoredTensor,
} from './graph/model';
export { buildJsonSchema } from './graph/schema';
export {
  activationBytes,
  activationBudgetProblem,
  activationBudgetExcess,
  largestBatchWithin,
  formatBytes,
  type ActivationEstimate,
  type ActivationExcess,
  type ActivationOptions,
  type NodeActivation,
} from './graph/activations';

// Bytes in, bytes out: safetensors and inline params.
export { encodeSafetensors, decodeSafetensors, SafetensorsError, type TensorRecord, type TensorRecords, type SafetensorsFile } from './io/safetensors';
export { paramsFromJson, paramsToJson, mergeParams, shortestFloat32, ParamsError, type InlineParams, type InlineTensor } from './io/params';

// Datasets and the training loop.
export { playgroundPoints, CLASSIFICATION_SETS, REGRESSION_SETS, isClassificationSet, type PlaygroundSet, type Points } from './data/playground';
export { splitDataset, batches, subset, type Dataset, type Batch } from './data/dataset';
export {
  readDatasetSpec,
  readTrainingSettings,
  buildDataset,
  DatasetError,
  DATASET_SOURCES,
  type DatasetJson,
  type DatasetSource,
  type TrainingSettings,
  type ExternalData,
} from './data/spec';
export { tableToDataset, CsvError, type CsvTable } from './data/csv';
export { INLINE_ROWS_KEY, INLINE_MAX_ROWS, INLINE_MAX_VALUES, inlineRowsProblems, defaultValidationSplit } from './data/inline';
export {
  FEATURE_DEFS,
  INPUT_FEATURES,
  DEFAULT_INPUT_FEATURES,
  INPUT_FEATURES_KEY,
  POINT_SETS,
  boundInputId,
  computeFeatures,
  featureDef,
  featureTransform,
  inputFeaturesProblems,
  readInputFeatures,
  type FeatureDef,
} from './data/features';
export { l1Penalty, l1Weights, readL1 } from './train/regularization';
export { decodeDigits, type Digits } from './data/digits';
export {
  StepClock,
  profileTraining,
  timedStep,
  stepCosts,
  nodeFlops,
  updateFlops,
  summarizePhases,
  median,
  formatFlops,
  UNSCOPED_ROW,
  type NodeCost,
  type StepCosts,
  type Phase,
  type PhaseTimes,
  type PhaseSummary,
  type NodeTimes,
  type NodeProfile,
  type FlopTotals,
  type ProfileReport,
  type ProfileOptions,
} from './train/profile';
export {
  StepRecorder,
  TRACE_LIMITS,
  type StepTrace,
  type StepObserver,
  type TraceLimits,
  type ForwardTrace,
  type BackwardTrace,
  type PrimitiveTrace,
  type InputGradTrace,
  type ParamGradTrace,
  type EdgeTrace,
  type UpdateTrace,
  type ParamUpdateTrace,
  type Heatmap,
} from './train/walkthrough';
export { weightImage, nodeWeightImages, WEIGHT_IMAGE_LIMITS, type WeightImage, type ParamImages } from './train/weightImage';
export {
  Trainer,
  NonFiniteError as TrainingNonFiniteError,
  accuracyOf,
  type StepResult,
  type EpochMetrics,
  type GradientSnapshot,
  type TrainerOptions,
  type TrainerPosition,
} from './train/trainer';

// Check Gradients: the float32 backward against float64 finite differences.
export {
  checkGradients,
  gradCheckTargets,
  sampleEntries,
  GradCheckNonFiniteError,
  TOLERANCES as GRADCHECK_TOLERANCES,
  DEFAULT_SAMPLES as GRADCHECK_DEFAULT_SAMPLES,
  DEFAULT_EPS as GRADCHECK_DEFAULT_EPS,
  type GradCheckOptions,
  type GradCheckResult,
  type TensorCheck,
  type EntryCheck,
  type EntryVerdict,
} from './check/gradcheck';
export { firstTrainingBatch } from './check/batch';
export { formatGradCheckReport } from './check/report';
