/**
 * The seed scan's tables, as Python source: every rule with its kind and fix, the library calls that seed,
 * draw or take random_state, and the static scikit-learn list used where scikit-learn cannot be introspected.
 */
/** Python source (see the summary above); composed by seed-scan-script.ts. */
export const SEED_SCAN_TABLES = String.raw`
import ast, sys, os, re, json, hashlib

SCAN_FORMAT = 2
# Every rule: (default kind, one-line fix). Messages are written where the finding is made.
RULES = {
    "random-seed": ("seed", ""),
    "numpy-seed": ("seed", ""),
    "torch-manual-seed": ("seed", ""),
    "torch-cuda-manual-seed": ("seed", ""),
    "tf-set-seed": ("seed", ""),
    "keras-set-random-seed": ("seed", ""),
    "transformers-set-seed": ("seed", ""),
    "lightning-seed-everything": ("seed", ""),
    "seed-helper": ("seed", ""),
    "numpy-default-rng": ("seed", ""),
    "numpy-random-state": ("seed", ""),
    "random-instance": ("seed", ""),
    "jax-prng-key": ("seed", ""),
    "random-state": ("seed", ""),
    "torch-deterministic": ("seed", ""),
    "gbdt-seed": ("seed", ""),
    "hf-training-seed": ("seed", ""),
    "optuna-seed": ("seed", ""),
    "lightning-deterministic": ("seed", ""),
    "unseeded-global-numpy": ("risk", "call np.random.seed(SEED) before the first draw, or draw from rng = np.random.default_rng(SEED)"),
    "unseeded-global-random": ("risk", "call random.seed(SEED) before the first draw, or use rng = random.Random(SEED)"),
    "unseeded-global-torch": ("risk", "call torch.manual_seed(SEED) before the first draw, or pass generator=torch.Generator().manual_seed(SEED)"),
    "torch-init-unseeded": ("risk", "call torch.manual_seed(SEED) before the layers are built"),
    "torch-dropout-unseeded": ("risk", "call torch.manual_seed(SEED) before training"),
    "dataloader-shuffle-unseeded": ("risk", "call torch.manual_seed(SEED) before the loader is built, or pass generator=torch.Generator().manual_seed(SEED)"),
    "dataloader-workers-unseeded": ("risk", "call torch.manual_seed(SEED) first, or pass generator= and worker_init_fn="),
    "unseeded-global-tf": ("risk", "call tf.random.set_seed(SEED) (or keras.utils.set_random_seed(SEED)) first, or pass seed="),
    "keras-init-unseeded": ("risk", "call keras.utils.set_random_seed(SEED) before the model is built"),
    "tf-shuffle-unseeded": ("risk", "pass seed=SEED to shuffle(), or call tf.random.set_seed(SEED) first"),
    "random-state-missing": ("risk", "pass random_state=SEED (an int)"),
    "random-state-none": ("risk", "pass random_state=SEED (an int) instead of None"),
    "unseeded-default-rng": ("risk", "pass a seed: np.random.default_rng(SEED)"),
    "unseeded-random-state": ("risk", "pass a seed: np.random.RandomState(SEED)"),
    "unseeded-random-instance": ("risk", "pass a seed: random.Random(SEED)"),
    "system-random": ("risk", "use random.Random(SEED) where results must repeat"),
    "seed-from-entropy": ("risk", "use a fixed seed (a constant or a --seed parameter) and record it"),
    "lightning-seed-unset": ("risk", "pass the seed: seed_everything(SEED)"),
    "optuna-sampler-unseeded": ("risk", "pass sampler=optuna.samplers.TPESampler(seed=SEED)"),
    "hf-head-init-unseeded": ("risk", "call transformers.set_seed(SEED) before from_pretrained()"),
    "cudnn-benchmark": ("risk", "set torch.backends.cudnn.benchmark = False for reproducible runs"),
    "builtin-hash": ("risk", "use hashlib (e.g. hashlib.sha256) for stable hashes, or set PYTHONHASHSEED"),
    "set-iteration": ("risk", "iterate over sorted(...) of the set, or set PYTHONHASHSEED"),
    "uuid4": ("note", "derive identifiers that feed results from the data, not from uuid4()"),
    "gbdt-default-seed": ("note", "pass the seed explicitly so it is recorded and can be varied"),
    "hf-default-seed": ("note", "pass seed=SEED to TrainingArguments so it is recorded"),
    "torch-nondeterministic": ("note", "on GPU, call torch.use_deterministic_algorithms(True) and set CUBLAS_WORKSPACE_CONFIG=:4096:8"),
    "unparsable": ("note", "check the file with the project's interpreter; it was not scanned"),
}

# Library calls that seed a global generator: canonical name -> generators seeded.
SEED_FUNCS = {
    "random.seed": ("random-seed", ("random",)),
    "numpy.random.seed": ("numpy-seed", ("numpy",)),
    "torch.manual_seed": ("torch-manual-seed", ("torch",)),
    "torch.random.manual_seed": ("torch-manual-seed", ("torch",)),
    "torch.cuda.manual_seed": ("torch-cuda-manual-seed", ()),
    "torch.cuda.manual_seed_all": ("torch-cuda-manual-seed", ()),
    "tensorflow.random.set_seed": ("tf-set-seed", ("tf",)),
    "tensorflow.set_random_seed": ("tf-set-seed", ("tf",)),
    "tensorflow.compat.v1.set_random_seed": ("tf-set-seed", ("tf",)),
    "tensorflow.compat.v1.random.set_random_seed": ("tf-set-seed", ("tf",)),
    "keras.utils.set_random_seed": ("keras-set-random-seed", ("random", "numpy", "tf")),
    "transformers.set_seed": ("transformers-set-seed", ("random", "numpy", "torch", "tf")),
    "transformers.trainer_utils.set_seed": ("transformers-set-seed", ("random", "numpy", "torch", "tf")),
    "accelerate.utils.set_seed": ("transformers-set-seed", ("random", "numpy", "torch")),
    "accelerate.set_seed": ("transformers-set-seed", ("random", "numpy", "torch")),
    "pytorch_lightning.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
    "pytorch_lightning.utilities.seed.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
    "lightning.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
    "lightning.fabric.utilities.seed.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
    "lightning_fabric.utilities.seed.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
    "lightning.fabric.seed_everything": ("lightning-seed-everything", ("random", "numpy", "torch")),
}
# Names of seeding helpers from libraries outside the project (fastai, mmcv, detectron2, own packages).
HELPER_SEED_NAMES = set("set_seed set_seeds seed_everything set_random_seed seed_all fix_seed fix_seeds set_global_seed setup_seed init_seeds random_seed set_all_seeds".split())

GLOBAL_NUMPY = set("rand randn randint random random_sample ranf sample choice shuffle permutation normal uniform binomial poisson beta gamma exponential standard_normal multivariate_normal bytes integers lognormal laplace logistic multinomial dirichlet geometric hypergeometric chisquare standard_t standard_cauchy standard_exponential standard_gamma triangular vonmises wald weibull zipf pareto power rayleigh gumbel negative_binomial noncentral_chisquare noncentral_f f logseries random_integers".split())
GLOBAL_RANDOM = set("random randint randrange choice choices shuffle sample uniform gauss normalvariate getrandbits triangular betavariate expovariate gammavariate lognormvariate vonmisesvariate paretovariate weibullvariate randbytes binomialvariate".split())
TORCH_DRAWS = set("rand randn randint randperm rand_like randn_like randint_like normal bernoulli multinomial poisson".split())
TORCH_INPLACE = set("uniform_ normal_ bernoulli_ random_ exponential_ geometric_ cauchy_ log_normal_".split())
TORCH_INIT = set("uniform_ normal_ xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_ orthogonal_ trunc_normal_ sparse_ uniform normal xavier_uniform xavier_normal kaiming_uniform kaiming_normal orthogonal".split())
TORCH_LAYERS = set("Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell MultiheadAttention Transformer TransformerEncoderLayer TransformerDecoderLayer PReLU".split())
TORCH_DROPOUT = set("Dropout Dropout1d Dropout2d Dropout3d AlphaDropout FeatureAlphaDropout dropout dropout1d dropout2d dropout3d alpha_dropout feature_alpha_dropout rrelu RReLU gumbel_softmax".split())
TORCH_SAMPLERS = set("RandomSampler SubsetRandomSampler WeightedRandomSampler random_split".split())
KERAS_LAYERS = set("Dense Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose SeparableConv1D SeparableConv2D DepthwiseConv2D Embedding LSTM GRU SimpleRNN ConvLSTM2D MultiHeadAttention Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianNoise GaussianDropout AlphaDropout RandomFlip RandomRotation RandomZoom RandomCrop RandomTranslation RandomContrast RandomBrightness EinsumDense".split())
KERAS_INITIALIZERS = set("GlorotUniform GlorotNormal HeNormal HeUniform LecunNormal LecunUniform RandomNormal RandomUniform TruncatedNormal Orthogonal VarianceScaling".split())
TF_DRAWS = set("normal uniform truncated_normal shuffle categorical gamma poisson stateless_categorical".split()) - set(["stateless_categorical"])
OPTUNA_SAMPLERS = set("TPESampler RandomSampler CmaEsSampler NSGAIISampler NSGAIIISampler QMCSampler GPSampler BoTorchSampler GridSampler BruteForceSampler MOTPESampler".split())
ENTROPY_CALLS = set("time.time time.time_ns time.perf_counter time.perf_counter_ns time.monotonic time.monotonic_ns time.process_time os.urandom os.getpid uuid.uuid1 uuid.uuid4 secrets.randbits secrets.randbelow secrets.token_bytes secrets.token_hex datetime.datetime.now datetime.datetime.utcnow datetime.datetime.today datetime.now datetime.utcnow datetime.today datetime.date.today random.SystemRandom".split())
# Gradient-boosting libraries: the params keys that carry a seed.
GBDT_TRAIN = {"xgboost.train": "xgboost", "xgboost.cv": "xgboost", "lightgbm.train": "lightgbm", "lightgbm.cv": "lightgbm", "catboost.train": "catboost", "catboost.cv": "catboost"}
GBDT_MODELS = {
    "xgboost": set("XGBClassifier XGBRegressor XGBRanker XGBRFClassifier XGBRFRegressor".split()),
    "lightgbm": set("LGBMClassifier LGBMRegressor LGBMRanker LGBMModel".split()),
    "catboost": set("CatBoostClassifier CatBoostRegressor CatBoostRanker CatBoost".split()),
}
GBDT_SEED_KEYS = {
    "xgboost": ("seed", "random_state"),
    "lightgbm": ("seed", "random_state", "random_seed", "bagging_seed", "feature_fraction_seed", "data_random_seed"),
    "catboost": ("random_seed", "random_state"),
}
GBDT_DEFAULT = {"xgboost": "seed 0", "lightgbm": "its fixed C++ default seeds", "catboost": "random_seed 0"}

# scikit-learn callables that take random_state (scikit-learn 1.2, by introspection); the probe
# adds the names of the installed version's signatures.
SKLEARN_FALLBACK = set("""AdaBoostClassifier AdaBoostRegressor AffinityPropagation BaggingClassifier BaggingRegressor
BayesianGaussianMixture BernoulliRBM BisectingKMeans ClassifierChain DecisionTreeClassifier DecisionTreeRegressor
DictionaryLearning DummyClassifier ElasticNet ElasticNetCV EllipticEnvelope ExtraTreeClassifier ExtraTreeRegressor
ExtraTreesClassifier ExtraTreesRegressor FactorAnalysis FastICA GaussianMixture GaussianProcessClassifier
GaussianProcessRegressor GaussianRandomProjection GradientBoostingClassifier GradientBoostingRegressor GroupShuffleSplit
HistGradientBoostingClassifier HistGradientBoostingRegressor IsolationForest KBinsDiscretizer KFold KMeans KernelPCA Lars
Lasso LassoCV LassoLars LatentDirichletAllocation LinearSVC LinearSVR LocallyLinearEmbedding LogisticRegression
LogisticRegressionCV MDS MLPClassifier MLPRegressor MinCovDet MiniBatchDictionaryLearning MiniBatchKMeans MiniBatchNMF
MiniBatchSparsePCA MultiTaskElasticNet MultiTaskElasticNetCV MultiTaskLasso MultiTaskLassoCV NMF
NeighborhoodComponentsAnalysis NuSVC Nystroem OutputCodeClassifier PCA ParameterSampler PartialDependenceDisplay
PassiveAggressiveClassifier PassiveAggressiveRegressor Perceptron PolynomialCountSketch QuantileTransformer RANSACRegressor
RBFSampler RandomForestClassifier RandomForestRegressor RandomTreesEmbedding RandomizedSearchCV RegressorChain
RepeatedKFold RepeatedStratifiedKFold Ridge RidgeClassifier SGDClassifier SGDOneClassSVM SGDRegressor SVC ShuffleSplit
SkewedChi2Sampler SparsePCA SparseRandomProjection SpectralBiclustering SpectralClustering SpectralCoclustering
SpectralEmbedding StratifiedGroupKFold StratifiedKFold StratifiedShuffleSplit TSNE TheilSenRegressor TruncatedSVD
affinity_propagation dict_learning dict_learning_online estimate_bandwidth fast_mcd fastica fetch_20newsgroups
fetch_covtype fetch_kddcup99 fetch_olivetti_faces fetch_rcv1 k_means kmeans_plusplus learning_curve load_files
locally_linear_embedding make_biclusters make_blobs make_checkerboard make_circles make_classification make_friedman1
make_friedman2 make_friedman3 make_gaussian_quantiles make_hastie_10_2 make_low_rank_matrix make_moons
make_multilabel_classification make_regression make_s_curve make_sparse_coded_signal make_sparse_spd_matrix
make_sparse_uncorrelated make_spd_matrix make_swiss_roll mutual_info_classif mutual_info_regression
non_negative_factorization permutation_importance permutation_test_score quantile_transform randomized_svd resample
ridge_regression shuffle silhouette_score smacof spectral_clustering spectral_embedding train_test_split
IterativeImputer HDBSCAN TunedThresholdClassifierCV FixedThresholdClassifier""".split())
# Where random_state only matters for some arguments: name -> (argument, values, mode). Mode "in": random only when
# the argument is given one of the values ("any": any value but None/0/False); "unless": random unless it has one.
SKLEARN_COND = {}
for _n in ("LogisticRegression", "LogisticRegressionCV"):
    SKLEARN_COND[_n] = ("solver", ("sag", "saga", "liblinear"), "in")
for _n in ("SVC", "NuSVC"):
    SKLEARN_COND[_n] = ("probability", (True,), "in")
for _n in ("Ridge", "RidgeClassifier", "ridge_regression"):
    SKLEARN_COND[_n] = ("solver", ("sag", "saga"), "in")
for _n in ("Lasso", "LassoCV", "ElasticNet", "ElasticNetCV", "MultiTaskLasso", "MultiTaskLassoCV", "MultiTaskElasticNet", "MultiTaskElasticNetCV"):
    SKLEARN_COND[_n] = ("selection", ("random",), "in")
SKLEARN_COND["PCA"] = ("svd_solver", ("randomized", "arpack"), "in")
SKLEARN_COND["KernelPCA"] = ("eigen_solver", ("randomized", "arpack"), "in")
SKLEARN_COND["NMF"] = ("init", ("random",), "in")
SKLEARN_COND["non_negative_factorization"] = ("init", ("random",), "in")
SKLEARN_COND["LocallyLinearEmbedding"] = ("eigen_solver", ("arpack",), "in")
SKLEARN_COND["locally_linear_embedding"] = ("eigen_solver", ("arpack",), "in")
for _n in ("KFold", "StratifiedKFold", "StratifiedGroupKFold", "learning_curve", "load_files", "fetch_20newsgroups", "fetch_covtype", "fetch_kddcup99", "fetch_olivetti_faces", "fetch_rcv1"):
    SKLEARN_COND[_n] = ("shuffle", (True,), "in")
SKLEARN_COND["train_test_split"] = ("shuffle", (False,), "unless")
SKLEARN_COND["HistGradientBoostingClassifier"] = ("early_stopping", (True,), "in")
SKLEARN_COND["HistGradientBoostingRegressor"] = ("early_stopping", (True,), "in")
SKLEARN_COND["DummyClassifier"] = ("strategy", ("stratified", "uniform"), "in")
SKLEARN_COND["GaussianProcessRegressor"] = ("n_restarts_optimizer", "any", "in")
SKLEARN_COND["GaussianProcessClassifier"] = ("n_restarts_optimizer", "any", "in")
SKLEARN_COND["silhouette_score"] = ("sample_size", "any", "in")
SKLEARN_COND["estimate_bandwidth"] = ("n_samples", "any", "in")
SKLEARN_COND["Lars"] = ("jitter", "any", "in")
SKLEARN_COND["LassoLars"] = ("jitter", "any", "in")
SKLEARN_COND["ClassifierChain"] = ("order", ("random",), "in")
SKLEARN_COND["RegressorChain"] = ("order", ("random",), "in")
SKLEARN_COND["NeighborhoodComponentsAnalysis"] = ("init", ("random",), "in")
SKLEARN_COND["IterativeImputer"] = ("sample_posterior", (True,), "in")
# Never random in practice (subsampling of very large inputs only) or not called directly.
SKLEARN_NEVER = set("QuantileTransformer quantile_transform KBinsDiscretizer PartialDependenceDisplay BaseDecisionTree BaseShuffleSplit HDBSCAN FixedThresholdClassifier check_random_state".split())
# Call roots that are never the project's own code (their calls are not call-graph edges).
NOT_PROJECT = set("numpy random torch tensorflow keras sklearn jax os sys time math json re uuid hashlib logging argparse pathlib collections itertools functools typing datetime pandas scipy matplotlib seaborn xgboost lightgbm catboost optuna transformers datasets lightning pytorch_lightning torchvision tqdm pickle shutil subprocess copy warnings mlflow wandb yaml csv glob io string secrets".split())
BUILTIN_CALLS = set("print len range int float str bool list dict set tuple enumerate zip map filter sorted reversed min max sum abs round isinstance issubclass getattr setattr hasattr open super type iter next any all repr format vars id hash divmod pow object property staticmethod classmethod".split())
`;
