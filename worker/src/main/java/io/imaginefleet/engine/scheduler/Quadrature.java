package io.imaginefleet.engine.scheduler;

import java.util.function.DoubleUnaryOperator;

/**
 * Adaptive 21-point Gauss–Kronrod quadrature in double precision, as scipy's {@code integrate.quad} (QUADPACK
 * {@code qags} starts with the same {@code qk21} rule) — used for the LMS integration coefficients.
 */
final class Quadrature {

    private static final double[] XGK = {
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0.0};
    private static final double[] WGK = {
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077958109831074, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821};
    private static final double[] WG = {
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338};
    private static final double EPS_ABS = 1.49e-8;
    private static final int MAX_DEPTH = 50;

    private Quadrature() {
    }

    /** ∫_a^b f, to {@code max(1.49e-8, epsRel·|I|)} (scipy's defaults with the given {@code epsrel}). */
    static double integrate(DoubleUnaryOperator f, double a, double b, double epsRel) {
        double[] whole = kronrod21(f, a, b);
        return refine(f, a, b, whole, epsRel, 0);
    }

    private static double refine(DoubleUnaryOperator f, double a, double b, double[] estimate, double epsRel,
                                 int depth) {
        if (estimate[1] <= Math.max(EPS_ABS, epsRel * Math.abs(estimate[0])) || depth >= MAX_DEPTH) {
            return estimate[0];
        }
        double mid = 0.5 * (a + b);
        double[] left = kronrod21(f, a, mid);
        double[] right = kronrod21(f, mid, b);
        return refine(f, a, mid, left, epsRel, depth + 1) + refine(f, mid, b, right, epsRel, depth + 1);
    }

    /** {integral, error estimate} of one 21-point Kronrod / 10-point Gauss pair. */
    static double[] kronrod21(DoubleUnaryOperator f, double a, double b) {
        double center = 0.5 * (a + b);
        double half = 0.5 * (b - a);
        double kronrod = WGK[10] * f.applyAsDouble(center);
        double gauss = 0;
        for (int j = 0; j < 10; j++) {
            double dx = half * XGK[j];
            double pair = f.applyAsDouble(center - dx) + f.applyAsDouble(center + dx);
            kronrod += WGK[j] * pair;
            if (j % 2 == 1) {
                gauss += WG[j / 2] * pair;
            }
        }
        return new double[] {kronrod * half, Math.abs((kronrod - gauss) * half)};
    }
}
