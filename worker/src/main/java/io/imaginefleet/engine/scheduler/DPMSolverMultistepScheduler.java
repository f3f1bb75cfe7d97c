package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * DPM-Solver++ multistep (diffusers {@code DPMSolverMultistepScheduler} with {@code algorithm_type=dpmsolver++},
 * {@code solver_order} 1 or 2, {@code solver_type=midpoint}): data-prediction updates in half-log-SNR space,
 * {@code lower_order_final}, {@code euler_at_final}, {@code final_sigmas_type} zero/sigma_min, optional Karras
 * sigmas. Deterministic. {@code add_noise} uses {@code alpha_t·x0 + sigma_t·noise} of the timestep's sigma.
 */
public final class DPMSolverMultistepScheduler implements Scheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "solver_order": 2, "prediction_type": "epsilon", "thresholding": false,
             "algorithm_type": "dpmsolver++", "solver_type": "midpoint", "lower_order_final": true,
             "euler_at_final": false, "use_karras_sigmas": false, "use_lu_lambdas": false,
             "final_sigmas_type": "zero", "lambda_min_clipped": -Infinity, "timestep_spacing": "linspace",
             "steps_offset": 0, "rescale_betas_zero_snr": false}""");

    private final String name = "DPMSolverMultistepScheduler";
    private final SchedulerConfig config;
    private final NoiseSchedule schedule;
    private final ModelOutputHistory modelOutputs;
    private long[] timesteps;
    private float[] sigmas;
    private int lowerOrderNums;
    private int lastStepIndex = -1;

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        this.config = config.withDefaults(DEFAULTS);
        this.schedule = NoiseSchedule.of(this.config, name, true);
        SchedulerConfig.require("dpmsolver++".equals(this.config.algorithmType()), name, "algorithm_type",
                this.config.algorithmType());
        SchedulerConfig.require(this.config.solverOrder() == 1 || this.config.solverOrder() == 2, name,
                "solver_order", this.config.solverOrder());
        String solverType = this.config.solverType();
        SchedulerConfig.require("midpoint".equals(solverType) || "logrho".equals(solverType)
                || "bh1".equals(solverType) || "bh2".equals(solverType), name, "solver_type", solverType);
        String p = this.config.predictionType();
        SchedulerConfig.require("epsilon".equals(p) || "v_prediction".equals(p) || "sample".equals(p), name,
                "prediction_type", p);
        SchedulerConfig.require(!Boolean.TRUE.equals(this.config.thresholding()), name, "thresholding", true);
        SchedulerConfig.require(!Boolean.TRUE.equals(this.config.useLuLambdas()), name, "use_lu_lambdas", true);
        String finalSigmas = this.config.finalSigmasType();
        SchedulerConfig.require("zero".equals(finalSigmas) || "sigma_min".equals(finalSigmas), name,
                "final_sigmas_type", finalSigmas);
        String variance = this.config.varianceType();
        SchedulerConfig.require(variance == null, name, "variance_type", variance);
        this.modelOutputs = new ModelOutputHistory(this.config.solverOrder());
    }

    /** The resolved config (class defaults applied). */
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        int numTrain = config.numTrainTimesteps();
        int lastTimestep = numTrain - clippedIndex();
        long[] ts = NoiseSchedule.dpmTimesteps(config.timestepSpacing(), numTrain, lastTimestep, numInferenceSteps,
                config.stepsOffset(), name);
        float[] train = schedule.trainingSigmas();
        double[] sig;
        if (config.useKarrasSigmas()) {
            sig = NoiseSchedule.karrasSigmas(train[0], train[train.length - 1], numInferenceSteps);
            float[] logSigmas = schedule.logTrainingSigmas();
            ts = new long[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = (long) Math.rint(NoiseSchedule.sigmaToT(sig[i], logSigmas));
            }
        } else {
            double[] x = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                x[i] = ts[i];
            }
            sig = NoiseSchedule.interpIndexed(x, NoiseSchedule.toDouble(train));
        }
        float last = 0f;
        if ("sigma_min".equals(config.finalSigmasType())) {
            float a0 = schedule.alphaCumprod(0);
            last = (float) Math.sqrt((1f - a0) / a0);
        }
        float[] s = new float[sig.length + 1];
        for (int i = 0; i < sig.length; i++) {
            s[i] = (float) sig[i];
        }
        s[sig.length] = last;
        this.timesteps = ts;
        this.sigmas = s;
        this.lowerOrderNums = 0;
        this.lastStepIndex = -1;
        modelOutputs.clear();
    }

    /** {@code searchsorted(flip(lambda_t), lambda_min_clipped)}: how many training steps to cut at the end. */
    private int clippedIndex() {
        double min = config.lambdaMinClipped();
        int n = schedule.numTrainTimesteps();
        int count = 0;
        for (int i = n - 1; i >= 0; i--) { // flipped lambda ascends
            float a = schedule.alphaCumprod(i);
            float lambda = (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
            if (lambda < min) {
                count++;
            } else {
                break;
            }
        }
        return count;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        checkIndex(stepIndex);
        return sample.duplicate();
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        checkIndex(stepIndex);
        if (lastStepIndex >= 0 && stepIndex != lastStepIndex + 1) {
            throw new IllegalStateException(name + " is a multistep scheduler: after the first step (any index, as "
                    + "img2img starts part-way) steps must run in order; got " + stepIndex + " after " + lastStepIndex);
        }
        lastStepIndex = stepIndex;
        int n = timesteps.length;
        boolean lowerOrderFinal = stepIndex == n - 1 && (config.eulerAtFinal()
                || (config.lowerOrderFinal() && n < 15) || "zero".equals(config.finalSigmasType()));
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = convertModelOutput(s, modelOutput, sample, sigmas[stepIndex]);
            modelOutputs.push(x0);
            NDArray prev;
            if (config.solverOrder() == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
                prev = firstOrderUpdate(s, x0, sample, stepIndex);
            } else {
                prev = secondOrderUpdate(s, sample, stepIndex);
            }
            if (lowerOrderNums < config.solverOrder()) {
                lowerOrderNums++;
            }
            return s.keep(prev);
        }
    }

    /** The data prediction x0 (dpmsolver++ works on x0). */
    private NDArray convertModelOutput(StepScope s, NDArray modelOutput, NDArray sample, float sigma) {
        float alphaT = alphaOf(sigma);
        float sigmaT = sigma * alphaT;
        return switch (config.predictionType()) {
            case "epsilon" -> s.use(sample).sub(s.use(modelOutput).mul(sigmaT)).div(alphaT);
            case "v_prediction" -> s.use(sample).mul(alphaT).sub(s.use(modelOutput).mul(sigmaT));
            default -> s.use(modelOutput).duplicate();
        };
    }

    private NDArray firstOrderUpdate(StepScope s, NDArray x0, NDArray sample, int i) {
        float alphaT = alphaOf(sigmas[i + 1]);
        float sigmaT = sigmas[i + 1] * alphaT;
        float alphaS = alphaOf(sigmas[i]);
        float sigmaS = sigmas[i] * alphaS;
        float h = lambda(alphaT, sigmaT) - lambda(alphaS, sigmaS);
        float c = alphaT * ((float) Math.exp(-h) - 1f);
        return s.use(sample).mul(sigmaT / sigmaS).sub(x0.mul(c));
    }

    private NDArray secondOrderUpdate(StepScope s, NDArray sample, int i) {
        float alphaT = alphaOf(sigmas[i + 1]);
        float sigmaT = sigmas[i + 1] * alphaT;
        float alphaS0 = alphaOf(sigmas[i]);
        float sigmaS0 = sigmas[i] * alphaS0;
        float alphaS1 = alphaOf(sigmas[i - 1]);
        float sigmaS1 = sigmas[i - 1] * alphaS1;
        float lambdaT = lambda(alphaT, sigmaT);
        float lambdaS0 = lambda(alphaS0, sigmaS0);
        float lambdaS1 = lambda(alphaS1, sigmaS1);
        NDArray m0 = s.use(modelOutputs.fromEnd(0));
        NDArray m1 = s.use(modelOutputs.fromEnd(1));
        float h = lambdaT - lambdaS0;
        float h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        NDArray d1 = m0.sub(m1).mul(1f / r0);
        float c = alphaT * ((float) Math.exp(-h) - 1f);
        return s.use(sample).mul(sigmaT / sigmaS0).sub(m0.mul(c)).sub(d1.mul(0.5f * c));
    }

    /** {@code alpha_t = 1/sqrt(sigma²+1)} (float32). */
    private static float alphaOf(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    private static float lambda(float alpha, float sigma) {
        return (float) Math.log(alpha) - (float) Math.log(sigma);
    }

    /**
     * {@code alpha_t·original + sigma_t·noise} with the sigma of {@code timestep} in the prepared schedule (second
     * match when repeated); other timesteps take the training sigma interpolated at them.
     */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, float timestep) {
        float sigma = schedule.sigmaOfTimestep(timestep, timesteps == null ? null : timesteps(), sigmas, name);
        float alphaT = alphaOf(sigma);
        float sigmaT = sigma * alphaT;
        try (StepScope s = new StepScope(original)) {
            return s.keep(s.use(original).mul(alphaT).add(s.use(noise).mul(sigmaT)));
        }
    }

    private void checkIndex(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length) {
            throw new IllegalArgumentException(name + ": step index " + stepIndex + " is outside [0, "
                    + (timesteps.length - 1) + "]");
        }
    }

    private void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException(name + ": setTimesteps must be called first");
        }
    }

    @Override
    public void close() {
        modelOutputs.close();
    }
}
