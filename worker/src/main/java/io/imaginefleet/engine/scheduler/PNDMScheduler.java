package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Pseudo numerical methods for diffusion models, PLMS only (diffusers {@code PNDMScheduler} with
 * {@code skip_prk_steps=true}, the Stable Diffusion 1.x default). Its schedule has {@code N+1} entries: the
 * second timestep is repeated (for {@code N > 1}), the first two model evaluations form one second-order step. Supports
 * epsilon and v_prediction.
 */
public final class PNDMScheduler extends AlphaProductScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "skip_prk_steps": false, "set_alpha_to_one": false, "prediction_type": "epsilon",
             "timestep_spacing": "leading", "steps_offset": 0}""");

    private final float finalAlphaCumprod;
    private final ModelOutputHistory ets = new ModelOutputHistory(4);
    private NDArray curSample;
    private int counter;
    private int lastStepIndex = -1;

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public PNDMScheduler(SchedulerConfig config) {
        super("PNDMScheduler", config, DEFAULTS);
        SchedulerConfig.require(this.config.skipPrkSteps(), name, "skip_prk_steps", false);
        SchedulerConfig.require(!"sample".equals(this.config.predictionType()), name, "prediction_type", "sample");
        this.finalAlphaCumprod = this.config.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        long[] desc = NoiseSchedule.discreteTimesteps(config.timestepSpacing(), config.numTrainTimesteps(),
                numInferenceSteps, config.stepsOffset(), name);
        int n = desc.length;
        // plms_timesteps = concat(ts[:-1], ts[-2:-1], ts[-1:])[::-1] with ts ascending
        long[] plms = new long[n + 1];
        if (n == 1) {
            plms = new long[] {desc[0]};
        } else {
            plms[0] = desc[0];
            plms[1] = desc[1];
            plms[2] = desc[1];
            System.arraycopy(desc, 2, plms, 3, n - 2);
        }
        this.timesteps = plms;
        this.numInferenceSteps = numInferenceSteps;
        reset();
    }

    private void reset() {
        ets.clear();
        if (curSample != null) {
            curSample.close();
            curSample = null;
        }
        counter = 0;
        lastStepIndex = -1;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        long timestep = timestepAt(stepIndex);
        if (lastStepIndex >= 0 && stepIndex != lastStepIndex + 1) {
            throw new IllegalStateException(name + " is a multistep scheduler: after the first step (any index, as "
                    + "img2img starts part-way) steps must run in order; got " + stepIndex + " after " + lastStepIndex);
        }
        lastStepIndex = stepIndex;
        int ratio = config.numTrainTimesteps() / numInferenceSteps;
        long prevTimestep = timestep - ratio;
        if (counter != 1) {
            ets.push(modelOutput);
        } else {
            prevTimestep = timestep;
            timestep = timestep + ratio;
        }
        try (StepScope s = new StepScope(sample)) {
            NDArray x = s.use(sample);
            NDArray eps;
            int size = ets.size();
            if (size == 1 && counter == 0) {
                eps = s.use(modelOutput);
                if (curSample != null) {
                    curSample.close();
                }
                curSample = sample.duplicate();
                curSample.detach();
            } else if (size == 1 && counter == 1) {
                eps = s.use(modelOutput).add(s.use(ets.fromEnd(0))).div(2f);
                x = s.use(curSample);
            } else if (size == 2) {
                eps = s.use(ets.fromEnd(0)).mul(3f).sub(s.use(ets.fromEnd(1))).div(2f);
            } else if (size == 3) {
                eps = s.use(ets.fromEnd(0)).mul(23f).sub(s.use(ets.fromEnd(1)).mul(16f))
                        .add(s.use(ets.fromEnd(2)).mul(5f)).div(12f);
            } else {
                eps = s.use(ets.fromEnd(0)).mul(55f).sub(s.use(ets.fromEnd(1)).mul(59f))
                        .add(s.use(ets.fromEnd(2)).mul(37f)).sub(s.use(ets.fromEnd(3)).mul(9f)).mul(1f / 24f);
            }
            NDArray prev = previousSample(x, timestep, prevTimestep, eps);
            counter++;
            return s.keep(prev);
        } finally {
            if (counter == 2 && curSample != null) {
                curSample.close();
                curSample = null;
            }
        }
    }

    /** Formula (9) of the PNDM paper: x_{t-δ} from x_t and the combined noise estimate. */
    private NDArray previousSample(NDArray sample, long timestep, long prevTimestep, NDArray modelOutput) {
        float alphaProd = schedule.alphaCumprod((int) timestep);
        float alphaProdPrev = prevTimestep >= 0 ? schedule.alphaCumprod((int) prevTimestep) : finalAlphaCumprod;
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        NDArray eps = modelOutput;
        if ("v_prediction".equals(config.predictionType())) {
            eps = modelOutput.mul((float) Math.sqrt(alphaProd)).add(sample.mul((float) Math.sqrt(betaProd)));
        }
        float sampleCoeff = (float) Math.sqrt(alphaProdPrev / alphaProd);
        float denom = alphaProd * (float) Math.sqrt(betaProdPrev)
                + (float) Math.sqrt(alphaProd * betaProd * alphaProdPrev);
        return sample.mul(sampleCoeff).sub(eps.mul(alphaProdPrev - alphaProd).div(denom));
    }

    @Override
    public void close() {
        reset();
    }
}
