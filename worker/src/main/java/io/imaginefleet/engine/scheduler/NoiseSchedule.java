package io.imaginefleet.engine.scheduler;

import java.util.Locale;

/**
 * The schedule math every scheduler of this package shares, computed exactly as diffusers 0.27.2 does on torch's
 * CPU (float32 tensors, float64 numpy where diffusers uses numpy): betas for the {@code linear},
 * {@code scaled_linear} and {@code squaredcos_cap_v2} schedules (or {@code trained_betas}), the cumulative alpha
 * product, the training sigmas, the {@code timestep_spacing} variants, numpy's {@code linspace}/{@code arange}/
 * {@code interp}, the Karras sigma ramp and the sigma→timestep inversion.
 */
public final class NoiseSchedule {

    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas, float[] alphasCumprod) {
        this.betas = betas;
        this.alphasCumprod = alphasCumprod;
    }

    /**
     * Builds the training noise schedule of a resolved config.
     *
     * @param config            resolved scheduler config
     * @param scheduler         scheduler class name, for error messages
     * @param terminalSigmaClamp when {@code rescale_betas_zero_snr} is set, replace the last (zero) alpha product
     *                          by {@code 2^-24} as the sigma-based diffusers schedulers do
     */
    public static NoiseSchedule of(SchedulerConfig config, String scheduler, boolean terminalSigmaClamp) {
        int n = config.numTrainTimesteps();
        if (n < 2) {
            throw new IllegalArgumentException(scheduler + ": num_train_timesteps must be >= 2, got " + n);
        }
        float[] betas;
        if (config.trainedBetas() != null) {
            double[] trained = config.trainedBetas();
            if (trained.length != n) {
                throw new IllegalArgumentException(scheduler + ": trained_betas has " + trained.length
                        + " entries but num_train_timesteps is " + n);
            }
            betas = new float[n];
            for (int i = 0; i < n; i++) {
                betas[i] = (float) trained[i];
            }
        } else {
            String schedule = config.betaSchedule();
            switch (schedule == null ? "" : schedule) {
                case "linear" -> betas = torchLinspace((float) (double) config.betaStart(),
                        (float) (double) config.betaEnd(), n);
                case "scaled_linear" -> {
                    betas = torchLinspace((float) Math.sqrt(config.betaStart()), (float) Math.sqrt(config.betaEnd()), n);
                    for (int i = 0; i < n; i++) {
                        betas[i] = betas[i] * betas[i];
                    }
                }
                case "squaredcos_cap_v2" -> betas = cosineBetas(n);
                default -> throw new IllegalArgumentException(scheduler + ": beta_schedule '" + schedule
                        + "' is not supported (linear, scaled_linear, squaredcos_cap_v2)");
            }
        }
        if (Boolean.TRUE.equals(config.rescaleBetasZeroSnr())) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        float[] cumprod = cumprod(oneMinus(betas));
        if (terminalSigmaClamp && Boolean.TRUE.equals(config.rescaleBetasZeroSnr())) {
            cumprod[n - 1] = (float) Math.pow(2, -24);
        }
        return new NoiseSchedule(betas, cumprod);
    }

    /** Number of training timesteps. */
    public int numTrainTimesteps() {
        return alphasCumprod.length;
    }

    /** {@code betas[t]} (float32). */
    public float beta(int t) {
        return betas[t];
    }

    /** {@code alphas_cumprod[t]} (float32). */
    public float alphaCumprod(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside the training schedule [0, "
                    + (alphasCumprod.length - 1) + "]");
        }
        return alphasCumprod[t];
    }

    /** A copy of {@code alphas_cumprod}. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** Training sigmas {@code ((1 - ᾱ) / ᾱ) ** 0.5} in float32, indexed by timestep (ascending). */
    public float[] trainingSigmas() {
        float[] sigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
        }
        return sigmas;
    }

    /** {@code np.log} of the float32 training sigmas (a float32 result, as numpy keeps the dtype). */
    public float[] logTrainingSigmas() {
        float[] sigmas = trainingSigmas();
        float[] logs = new float[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            logs[i] = (float) Math.log(sigmas[i]);
        }
        return logs;
    }

    /** The training sigma at a (possibly fractional) timestep, {@code np.interp} over the training sigmas. */
    public double sigmaAt(double timestep) {
        return interpIndexed(new double[] {timestep}, toDouble(trainingSigmas()))[0];
    }

    /**
     * The sigma {@code add_noise} uses for a model timestep, as diffusers' {@code index_for_timestep}: the schedule's own
     * sigma where the timestep is in {@code timesteps} (the second match if it appears twice), else the training sigma
     * interpolated at it. {@code timesteps}/{@code sigmas} may be {@code null} before {@code set_timesteps}.
     */
    public float sigmaOfTimestep(float timestep, float[] timesteps, float[] sigmas, String scheduler) {
        if (Float.isNaN(timestep) || timestep < 0 || timestep > numTrainTimesteps() - 1) {
            throw new IllegalArgumentException(scheduler + ".addNoise: timestep " + timestep + " is outside [0, "
                    + (numTrainTimesteps() - 1) + "]");
        }
        if (timesteps != null) {
            int first = -1;
            int second = -1;
            for (int i = 0; i < timesteps.length; i++) {
                if (timesteps[i] == timestep) {
                    if (first < 0) {
                        first = i;
                    } else if (second < 0) {
                        second = i;
                    }
                }
            }
            if (first >= 0) {
                return sigmas[second >= 0 ? second : first];
            }
        }
        return (float) sigmaAt(timestep);
    }

    // ---------------------------------------------------------------------------------------------------------
    // timestep spacing

    /**
     * Integer timesteps (descending) of DDIM/DDPM for {@code n} inference steps; PNDM uses the same set ascending.
     */
    public static long[] discreteTimesteps(String spacing, int numTrain, int n, int stepsOffset, String scheduler) {
        checkSteps(n, numTrain, scheduler);
        long[] out = new long[n];
        switch (spacingName(spacing, scheduler)) {
            case "linspace" -> {
                double[] lin = linspace(0, numTrain - 1, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (long) Math.rint(lin[n - 1 - i]);
                }
            }
            case "leading" -> {
                int ratio = numTrain / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (long) (n - 1 - i) * ratio + stepsOffset;
                }
            }
            default -> { // trailing
                double[] ar = arange(numTrain, 0, -((double) numTrain / n));
                out = new long[ar.length];
                for (int i = 0; i < ar.length; i++) {
                    out[i] = (long) Math.rint(ar[i]) - 1;
                }
            }
        }
        return out;
    }

    /** Float timesteps (descending) of the sigma schedulers (LMS, Euler, Euler ancestral), float32 like numpy. */
    public static float[] continuousTimesteps(String spacing, int numTrain, int n, int stepsOffset, String scheduler) {
        checkSteps(n, numTrain, scheduler);
        float[] out;
        switch (spacingName(spacing, scheduler)) {
            case "linspace" -> {
                double[] lin = linspace(0, numTrain - 1, n);
                out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) lin[n - 1 - i];
                }
            }
            case "leading" -> {
                int ratio = numTrain / n;
                out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) ((long) (n - 1 - i) * ratio) + (float) stepsOffset;
                }
            }
            default -> { // trailing
                double[] ar = arange(numTrain, 0, -((double) numTrain / n));
                out = new float[ar.length];
                for (int i = 0; i < ar.length; i++) {
                    out[i] = (float) Math.rint(ar[i]) - 1f;
                }
            }
        }
        return out;
    }

    /**
     * Integer timesteps of DPM-Solver (descending, {@code n} entries): spaced over {@code n+1} points up to
     * {@code lastTimestep} with the last one dropped.
     */
    public static long[] dpmTimesteps(String spacing, int numTrain, int lastTimestep, int n, int stepsOffset,
                                      String scheduler) {
        checkSteps(n, numTrain, scheduler);
        long[] out;
        switch (spacingName(spacing, scheduler)) {
            case "linspace" -> {
                double[] lin = linspace(0, lastTimestep - 1, n + 1);
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (long) Math.rint(lin[n - i]);
                }
            }
            case "leading" -> {
                int ratio = lastTimestep / (n + 1);
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (long) (n - i) * ratio + stepsOffset;
                }
            }
            default -> { // trailing
                double[] ar = arange(lastTimestep, 0, -((double) numTrain / n));
                out = new long[ar.length];
                for (int i = 0; i < ar.length; i++) {
                    out[i] = (long) Math.rint(ar[i]) - 1;
                }
            }
        }
        return out;
    }

    private static void checkSteps(int n, int numTrain, String scheduler) {
        if (n < 1 || n > numTrain) {
            throw new IllegalArgumentException(scheduler + ": num_inference_steps must be in [1, " + numTrain
                    + "], got " + n);
        }
    }

    private static String spacingName(String spacing, String scheduler) {
        String s = spacing == null ? "" : spacing.toLowerCase(Locale.ROOT);
        if (!s.equals("linspace") && !s.equals("leading") && !s.equals("trailing")) {
            throw new IllegalArgumentException(scheduler + ": timestep_spacing '" + spacing
                    + "' is not supported (leading, trailing, linspace)");
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // sigma helpers

    /** Karras et al. (2022) sigma ramp with rho 7 (numpy float64), {@code n} values from max to min. */
    public static double[] karrasSigmas(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    /** diffusers' {@code _sigma_to_t}: the fractional timestep of a sigma, log-linear between training sigmas. */
    public static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int cum = 0;
        int best = -1;
        int lowIdx = 0;
        for (int j = 0; j < logSigmas.length; j++) {
            if (logSigma - (double) logSigmas[j] >= 0) {
                cum++;
            }
            if (cum > best) {
                best = cum;
                lowIdx = j;
            }
        }
        lowIdx = Math.min(lowIdx, logSigmas.length - 2);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx];
        float high = logSigmas[highIdx];
        float lowMinusHigh = low - high;
        double w = ((double) low - logSigma) / lowMinusHigh;
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * lowIdx + w * highIdx;
    }

    // ---------------------------------------------------------------------------------------------------------
    // numpy / torch primitives

    /** {@code np.linspace(start, stop, num)} in float64 (numpy's formula: {@code i*step + start}, exact end). */
    public static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double delta = stop - start;
        int div = num - 1;
        double step = delta / div;
        for (int i = 0; i < num; i++) {
            y[i] = step == 0 ? ((double) i / div) * delta + start : i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.arange(start, stop, step)} in float64 (numpy's fill: {@code start + i*((start+step)-start)}). */
    public static double[] arange(double start, double stop, double step) {
        int len = (int) Math.ceil((stop - start) / step);
        if (len <= 0) {
            return new double[0];
        }
        double[] y = new double[len];
        y[0] = start;
        if (len > 1) {
            y[1] = start + step;
            double delta = y[1] - y[0];
            for (int i = 2; i < len; i++) {
                y[i] = start + i * delta;
            }
        }
        return y;
    }

    /** {@code np.interp(x, np.arange(len(fp)), fp)}. */
    public static double[] interpIndexed(double[] x, double[] fp) {
        int last = fp.length - 1;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (Double.isNaN(v)) {
                out[i] = v;
            } else if (v >= last) {
                out[i] = fp[last];
            } else if (v <= 0) {
                out[i] = fp[0];
            } else {
                int j = (int) Math.floor(v);
                if (v == j) {
                    out[i] = fp[j];
                } else {
                    double slope = (fp[j + 1] - fp[j]) / 1.0;
                    out[i] = slope * (v - j) + fp[j];
                }
            }
        }
        return out;
    }

    /** torch's CPU {@code linspace} for float32: step in float, halves computed from each end. */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    /** {@code betas_for_alpha_bar(n, "cosine")} (float64, then float32). */
    static float[] cosineBetas(int n) {
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - alphaBarCosine(t2) / alphaBarCosine(t1), 0.999);
        }
        return betas;
    }

    private static double alphaBarCosine(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** diffusers' {@code rescale_zero_terminal_snr} (float32 tensor arithmetic). */
    static float[] rescaleZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] sqrt = cumprod(oneMinus(betas));
        for (int i = 0; i < n; i++) {
            sqrt[i] = (float) Math.sqrt(sqrt[i]);
        }
        float first = sqrt[0];
        float last = sqrt[n - 1];
        float scale = first / (first - last);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float s = (sqrt[i] - last) * scale;
            bar[i] = s * s;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    private static float[] oneMinus(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = 1f - x[i];
        }
        return out;
    }

    /** torch's CPU {@code cumprod} for float32: accumulates in double, stores each partial product as float. */
    static float[] cumprod(float[] x) {
        float[] out = new float[x.length];
        double acc = 1.0;
        for (int i = 0; i < x.length; i++) {
            acc *= x[i];
            out[i] = (float) acc;
        }
        return out;
    }

    static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}
