package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Linear multistep sampler in sigma space (diffusers {@code LMSDiscreteScheduler}, order 4): the coefficients
 * integrate the Lagrange basis over each sigma interval with adaptive Gauss–Kronrod quadrature (scipy's
 * {@code quad}, {@code epsrel=1e-4}). Optional Karras sigmas.
 */
public final class LMSDiscreteScheduler extends SigmaScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "use_karras_sigmas": false, "prediction_type": "epsilon", "timestep_spacing": "linspace",
             "steps_offset": 0}""");
    private static final int ORDER = 4;

    private final ModelOutputHistory derivatives = new ModelOutputHistory(ORDER);

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public LMSDiscreteScheduler(SchedulerConfig config) {
        super("LMSDiscreteScheduler", config, DEFAULTS);
        requirePrediction(true);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        float[] ts = NoiseSchedule.continuousTimesteps(config.timestepSpacing(), config.numTrainTimesteps(),
                numInferenceSteps, config.stepsOffset(), name);
        double[] sig = interpolatedSigmas(ts);
        if (config.useKarrasSigmas()) {
            sig = NoiseSchedule.karrasSigmas(sig[sig.length - 1], sig[0], numInferenceSteps);
            float[] logSigmas = schedule.logTrainingSigmas();
            ts = new float[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = (float) NoiseSchedule.sigmaToT(sig[i], logSigmas);
            }
        }
        this.timesteps = ts;
        this.sigmas = withZero(sig);
        this.lastStepIndex = -1;
        derivatives.clear();
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        float sigma = sigmaAt(stepIndex);
        checkInOrder(stepIndex);
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = predictOriginal(s, modelOutput, sample, sigma);
            NDArray derivative = s.use(sample).sub(x0).div(sigma);
            derivatives.push(derivative);
            int order = Math.min(stepIndex + 1, ORDER);
            // diffusers zips the coefficients with the derivatives it has: fewer when the run started part-way
            int terms = Math.min(order, derivatives.size());
            NDArray sum = null;
            for (int k = 0; k < terms; k++) {
                double coeff = coefficient(order, stepIndex, k);
                NDArray term = s.use(derivatives.fromEnd(k)).mul((float) coeff);
                sum = sum == null ? term : sum.add(term);
            }
            return s.keep(s.use(sample).add(sum));
        }
    }

    /** ∫_{σ_t}^{σ_{t+1}} Π_{k≠j} (τ-σ_{t-k}) / (σ_{t-j}-σ_{t-k}) dτ. */
    double coefficient(int order, int t, int currentOrder) {
        double[] sig = NoiseSchedule.toDouble(sigmas);
        return Quadrature.integrate(tau -> {
            double prod = 1.0;
            for (int k = 0; k < order; k++) {
                if (k == currentOrder) {
                    continue;
                }
                prod *= (tau - sig[t - k]) / (sig[t - currentOrder] - sig[t - k]);
            }
            return prod;
        }, sig[t], sig[t + 1], 1e-4);
    }

    @Override
    public void close() {
        derivatives.close();
    }
}
