// MaskFunction: the power series M_alpha(W) = sum_k alpha_k W^k of SPEC section 4, its
// modulation f (f * f = alpha, used by graph random features) and its convergence on a graph.
#pragma once

#include <string>
#include <vector>

#include "topomask/core/enum_table.h"

namespace topomask {

enum class MaskPreset {
  Heat,     // exp(beta W):            alpha_k = beta^k / k!
  RegLap1,  // (I - beta W)^-1:        alpha_k = beta^k
  RegLap2,  // (I - beta W)^-2:        alpha_k = (k + 1) beta^k
  PStep,    // (I + beta W)^p:         alpha_k = C(p, k) beta^k (p a non-negative integer)
  Cosine,   // cos(beta W) + sin(beta W): alpha_k = beta^k (-1)^floor(k/2) / k!
  Custom,   // alpha_0..alpha_K given
  CustomF,  // f_0..f_K given, alpha = f * f
};

struct MaskSpec {
  MaskPreset preset = MaskPreset::Heat;
  double beta = 1.0;
  int p = 2;
  std::vector<double> alpha;  // for Custom
  std::vector<double> f;      // for CustomF

  bool operator==(const MaskSpec&) const = default;
};

class MaskFunction {
 public:
  // Validates the spec (throws usage Error: negative p, empty coefficient lists, non-finite values).
  explicit MaskFunction(const MaskSpec& spec);
  MaskFunction() : MaskFunction(MaskSpec{}) {}

  const MaskSpec& spec() const { return spec_; }
  // "heat", "reglap1", "reglap2", "pstep", "cosine", "custom", "custom-f".
  std::string name() const;
  // Human-readable formula, e.g. "exp(1 W)" or "(I - 0.5 W)^-1".
  std::string formula() const;

  // alpha_k for k = 0..count-1 (zeros past the end of a finite series).
  std::vector<double> alpha(int count) const;
  // Modulation f_k for k = 0..count-1 with sum_{p} f_p f_{k-p} = alpha_k: the closed forms of the
  // spec table where they exist, otherwise deconvolution. Throws Error (Numeric) when alpha_0 <= 0
  // and f is not given directly ("give f directly with --f / custom-f").
  std::vector<double> modulation(int count) const;

  // Number of non-zero terms for a polynomial (pstep, custom, custom-f), -1 for an infinite series.
  int degree() const;
  // Radius of convergence of sum alpha_k x^k in |x| (infinity for entire functions and polynomials).
  double radiusOfConvergence() const;
  // g(lambda) = sum_k alpha_k lambda^k (closed form where known; series otherwise). Used on eigenvalues.
  double operator()(double lambda) const;

  // Number of terms K (alpha_0..alpha_{K-1}) such that sum_{k>=K} |alpha_k| rho^k is at most
  // relTolerance * sum_k |alpha_k| rho^k. Throws Error (Numeric) naming beta and rho when the series
  // does not converge at rho (e.g. reglap with beta rho >= 1), or when more than maxTerms are needed.
  int termsFor(double rho, double relTolerance = 1e-9, int maxTerms = 100000) const;
  // Upper bound of the tail sum_{k>=K} |alpha_k| rho^k (infinity when it diverges).
  double tailBound(int terms, double rho) const;

 private:
  MaskSpec spec_;
};

// Self-convolution (f * f)_k = sum_{p=0}^{k} f_p f_{k-p}, for k < f.size().
std::vector<double> selfConvolve(const std::vector<double>& f);
// Deconvolution: f_0 = sqrt(alpha_0), f_k = (alpha_k - sum_{p=1}^{k-1} f_p f_{k-p}) / (2 f_0).
// Throws Error (Numeric) when alpha_0 <= 0.
std::vector<double> deconvolve(const std::vector<double>& alpha);

// Parse "heat", "reglap1", ... (throws usage Error).
const EnumTable<MaskPreset>& maskPresetTable();  // core/enum_table.h
MaskPreset parseMaskPreset(const std::string& text);

}  // namespace topomask
