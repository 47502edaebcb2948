#include "topomask/mask/mask_function.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "topomask/core/budget.h"
#include "topomask/core/error.h"

namespace topomask {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

void requireFinite(const std::vector<double>& values, const char* what) {
  if (values.empty()) throw usageError(std::string(what) + ": the coefficient list is empty");
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]))
      throw usageError(std::string(what) + ": coefficient " + std::to_string(k) + " is not finite");
}

// sum_k c_k x^k by Horner's rule.
double horner(const std::vector<double>& c, double x) {
  double y = 0.0;
  for (auto it = c.rbegin(); it != c.rend(); ++it) y = y * x + *it;
  return y;
}

// Full self-convolution of a finite f: (f * f)_k for k = 0..2(|f|-1).
std::vector<double> fullSelfConvolution(const std::vector<double>& f) {
  if (f.empty()) return {};
  std::vector<double> a(2 * f.size() - 1, 0.0);
  for (std::size_t i = 0; i < f.size(); ++i)
    for (std::size_t j = 0; j < f.size(); ++j) a[i + j] += f[i] * f[j];
  return a;
}

}  // namespace

MaskFunction::MaskFunction(const MaskSpec& spec) : spec_(spec) {
  // Error::where() names the parameter (beta, p); each front end words it its own way.
  if (!std::isfinite(spec_.beta)) throw Error("must be finite", "beta", Error::Kind::Usage);
  switch (spec_.preset) {
    case MaskPreset::PStep:
      if (spec_.p < 0 || spec_.p > kMaxSeriesPower)
        throw Error("the p-step power must be an integer between 0 and " + std::to_string(kMaxSeriesPower) + " (got " +
                        std::to_string(spec_.p) + ")",
                    "p", Error::Kind::Usage);
      break;
    case MaskPreset::Custom:
      requireFinite(spec_.alpha, "mask custom alpha");
      if (spec_.alpha.size() > static_cast<std::size_t>(kMaxSeriesPower) + 1)
        throw usageError("mask custom: at most " + std::to_string(kMaxSeriesPower + 1) + " coefficients alpha_k");
      break;
    case MaskPreset::CustomF:
      requireFinite(spec_.f, "mask custom f");
      if (spec_.f.size() > static_cast<std::size_t>(kMaxSeriesPower) + 1)
        throw usageError("mask custom: at most " + std::to_string(kMaxSeriesPower + 1) + " coefficients f_k");
      break;
    default:
      break;
  }
}

std::string MaskFunction::name() const { return maskPresetTable().name(spec_.preset); }

std::string MaskFunction::formula() const {
  const std::string b = number(spec_.beta);
  switch (spec_.preset) {
    case MaskPreset::Heat: return "exp(" + b + " W)";
    case MaskPreset::RegLap1: return "(I - " + b + " W)^-1";
    case MaskPreset::RegLap2: return "(I - " + b + " W)^-2";
    case MaskPreset::PStep: return "(I + " + b + " W)^" + std::to_string(spec_.p);
    case MaskPreset::Cosine: return "cos(" + b + " W) + sin(" + b + " W)";
    case MaskPreset::Custom:
    case MaskPreset::CustomF: {
      const std::vector<double> c = spec_.preset == MaskPreset::Custom ? spec_.alpha : spec_.f;
      std::ostringstream s;
      s << "sum_k alpha_k W^k, " << (spec_.preset == MaskPreset::Custom ? "alpha" : "f") << " = [";
      for (std::size_t k = 0; k < c.size(); ++k) {
        if (k == 6) {
          s << ", ... (" << c.size() << " coefficients)";
          break;
        }
        s << (k ? ", " : "") << number(c[k]);
      }
      s << "]";
      if (spec_.preset == MaskPreset::CustomF) s << ", alpha = f * f";
      return s.str();
    }
  }
  return "?";
}

std::vector<double> MaskFunction::alpha(int count) const {
  count = std::max(count, 0);
  std::vector<double> a(static_cast<std::size_t>(count), 0.0);
  if (count == 0) return a;
  const double beta = spec_.beta;
  switch (spec_.preset) {
    case MaskPreset::Heat:
    case MaskPreset::Cosine: {
      // |alpha_k| = |beta|^k / k! by the recurrence t_k = t_{k-1} beta / k (no factorial overflow).
      double t = 1.0;
      for (int k = 0; k < count; ++k) {
        if (k > 0) t *= beta / k;
        // Cosine: cos x + sin x = sum_k (-1)^floor(k/2) x^k / k!.
        a[k] = (spec_.preset == MaskPreset::Cosine && (k / 2) % 2 == 1) ? -t : t;
      }
      break;
    }
    case MaskPreset::RegLap1: {
      double t = 1.0;
      for (int k = 0; k < count; ++k) {
        a[k] = t;
        t *= beta;
      }
      break;
    }
    case MaskPreset::RegLap2: {
      double t = 1.0;
      for (int k = 0; k < count; ++k) {
        a[k] = (k + 1.0) * t;
        t *= beta;
      }
      break;
    }
    case MaskPreset::PStep: {
      // C(p, k) beta^k by c_k = c_{k-1} beta (p - k + 1) / k; exactly zero past k = p.
      double c = 1.0;
      for (int k = 0; k < count && k <= spec_.p; ++k) {
        if (k > 0) c *= beta * (spec_.p - k + 1) / k;
        a[k] = c;
      }
      break;
    }
    case MaskPreset::Custom:
      for (int k = 0; k < count && k < static_cast<int>(spec_.alpha.size()); ++k) a[k] = spec_.alpha[k];
      break;
    case MaskPreset::CustomF: {
      const std::vector<double> full = fullSelfConvolution(spec_.f);
      for (int k = 0; k < count && k < static_cast<int>(full.size()); ++k) a[k] = full[k];
      break;
    }
  }
  return a;
}

std::vector<double> MaskFunction::modulation(int count) const {
  count = std::max(count, 0);
  std::vector<double> f(static_cast<std::size_t>(count), 0.0);
  if (count == 0) return f;
  const double beta = spec_.beta;
  switch (spec_.preset) {
    case MaskPreset::Heat: {
      double t = 1.0;  // (beta/2)^k / k!
      for (int k = 0; k < count; ++k) {
        if (k > 0) t *= 0.5 * beta / k;
        f[k] = t;
      }
      return f;
    }
    case MaskPreset::RegLap1: {
      double t = 1.0;  // beta^k (2k-1)!! / (2k)!!
      for (int k = 0; k < count; ++k) {
        if (k > 0) t *= beta * (2.0 * k - 1.0) / (2.0 * k);
        f[k] = t;
      }
      return f;
    }
    case MaskPreset::RegLap2: {
      double t = 1.0;  // beta^k
      for (int k = 0; k < count; ++k) {
        f[k] = t;
        t *= beta;
      }
      return f;
    }
    case MaskPreset::PStep: {
      // Generalised binomial C(p/2, k) beta^k; finite for even p, an infinite series for odd p.
      const double half = 0.5 * spec_.p;
      double c = 1.0;
      for (int k = 0; k < count; ++k) {
        if (k > 0) c *= beta * (half - k + 1.0) / k;
        f[k] = c;
      }
      return f;
    }
    case MaskPreset::CustomF:
      for (int k = 0; k < count && k < static_cast<int>(spec_.f.size()); ++k) f[k] = spec_.f[k];
      return f;
    case MaskPreset::Cosine:
    case MaskPreset::Custom: {
      const std::vector<double> a = alpha(count);
      if (!(a[0] > 0.0))
        throw Error("alpha_0 = " + number(a[0]) +
                        " <= 0, so the modulation f (f * f = alpha) does not exist as a real series; give the "
                        "coefficients f_k directly (custom f)",
                    "mask " + name(), Error::Kind::Numeric);
      return deconvolve(a);
    }
  }
  return f;
}

int MaskFunction::degree() const {
  switch (spec_.preset) {
    case MaskPreset::PStep: return spec_.p + 1;
    case MaskPreset::Custom: return static_cast<int>(spec_.alpha.size());
    case MaskPreset::CustomF: return static_cast<int>(2 * spec_.f.size() - 1);
    default: return -1;
  }
}

double MaskFunction::radiusOfConvergence() const {
  if (spec_.preset == MaskPreset::RegLap1 || spec_.preset == MaskPreset::RegLap2)
    return spec_.beta == 0.0 ? kInfinity : 1.0 / std::abs(spec_.beta);
  return kInfinity;
}

double MaskFunction::operator()(double lambda) const {
  const double x = spec_.beta * lambda;
  switch (spec_.preset) {
    case MaskPreset::Heat: return std::exp(x);
    case MaskPreset::RegLap1: return 1.0 / (1.0 - x);
    case MaskPreset::RegLap2: return 1.0 / ((1.0 - x) * (1.0 - x));
    case MaskPreset::PStep: {
      double y = 1.0;  // integer power by repeated multiplication (exact sign for negative bases)
      for (int k = 0; k < spec_.p; ++k) y *= 1.0 + x;
      return y;
    }
    case MaskPreset::Cosine: return std::cos(x) + std::sin(x);
    case MaskPreset::Custom: return horner(spec_.alpha, lambda);
    case MaskPreset::CustomF: return horner(fullSelfConvolution(spec_.f), lambda);
  }
  return 0.0;
}

double MaskFunction::tailBound(int terms, double rho) const {
  terms = std::max(terms, 0);
  rho = std::abs(rho);
  const double x = std::abs(spec_.beta) * rho;
  const int n = degree();
  if (n >= 0) {  // polynomial: the tail is a finite sum, computed exactly
    if (terms >= n) return 0.0;
    const std::vector<double> a = alpha(n);
    double tail = 0.0, power = 1.0;
    for (int k = 0; k < n; ++k) {
      if (k >= terms) tail += std::abs(a[k]) * power;
      power *= rho;
    }
    return tail;
  }
  if (rho == 0.0 || spec_.beta == 0.0) return terms >= 1 ? 0.0 : 1.0;
  switch (spec_.preset) {
    case MaskPreset::Heat:
    case MaskPreset::Cosine: {
      // t_K = x^K / K!; for K + 1 > x the ratio t_{k+1}/t_k = x/(k+1) <= x/(K+1) < 1 for all k >= K,
      // so the tail is at most t_K / (1 - x/(K+1)) (geometric majorant).
      if (terms + 1.0 <= x) return kInfinity;
      double logT = terms * std::log(x) - std::lgamma(terms + 1.0);
      return std::exp(logT) / (1.0 - x / (terms + 1.0));
    }
    case MaskPreset::RegLap1:
      // sum_{k>=K} x^k = x^K / (1 - x), exact.
      if (x >= 1.0) return kInfinity;
      return std::pow(x, terms) / (1.0 - x);
    case MaskPreset::RegLap2:
      // sum_{k>=K} (k+1) x^k = x^K ((K+1)/(1-x) + x/(1-x)^2), exact.
      if (x >= 1.0) return kInfinity;
      return std::pow(x, terms) * ((terms + 1.0) / (1.0 - x) + x / ((1.0 - x) * (1.0 - x)));
    default:
      return kInfinity;
  }
}

int MaskFunction::termsFor(double rho, double relTolerance, int maxTerms) const {
  rho = std::abs(rho);
  if (!std::isfinite(rho)) throw Error("the spectral radius of W is not finite", "mask " + name(), Error::Kind::Numeric);
  if (!(relTolerance >= 0.0)) throw usageError("mask: the relative tolerance must be non-negative");
  if (rho >= radiusOfConvergence()) {
    const double x = std::abs(spec_.beta) * rho;
    throw Error("the series of " + formula() + " diverges on this graph: |beta| rho(W) = " + number(std::abs(spec_.beta)) +
                    " x " + number(rho) + " = " + number(x) + " >= 1. It converges only for |beta| < 1 / rho(W) = " +
                    number(1.0 / rho) + " (lower beta or the scale sigma)",
                "mask " + name(), Error::Kind::Numeric);
  }
  const int n = degree();
  if (n >= 0) {
    // Polynomial: the smallest K whose exact tail is within tolerance (at most all n terms).
    const double total = tailBound(0, rho);
    for (int k = 0; k < n; ++k)
      if (tailBound(k, rho) <= relTolerance * total && (k > 0 || total == 0.0)) return std::max(k, 1);
    return std::max(n, 1);
  }
  // Infinite series: K such that tailBound(K) <= relTolerance * partial(K), where the partial sum
  // partial(K) = sum_{k<K} |alpha_k| rho^k is at most the full sum; the criterion is therefore rigorous.
  const std::vector<double> a = alpha(1);
  double partial = 0.0, power = 1.0;
  const double x = std::abs(spec_.beta) * rho;
  double term = std::abs(a[0]);  // |alpha_k| rho^k by recurrence
  for (int k = 1; k <= maxTerms; ++k) {
    partial += term;
    if (!std::isfinite(partial))
      throw Error("the series of " + formula() + " overflows double precision on this graph (|beta| rho(W) = " + number(x) +
                      "); lower beta or the scale sigma",
                  "mask " + name(), Error::Kind::Numeric);
    if (tailBound(k, rho) <= relTolerance * partial) return k;
    // next term: heat/cosine t_k = x^k / k!, reglap1 x^k, reglap2 (k+1) x^k
    power *= x;
    switch (spec_.preset) {
      case MaskPreset::Heat:
      case MaskPreset::Cosine: term *= x / k; break;
      case MaskPreset::RegLap1: term = power; break;
      case MaskPreset::RegLap2: term = (k + 1.0) * power; break;
      default: break;
    }
  }
  throw Error("the series of " + formula() + " needs more than " + std::to_string(maxTerms) +
                  " terms for a relative tail of " + number(relTolerance) + " at rho(W) = " + number(rho) +
                  " (|beta| rho(W) = " + number(x) + "); lower beta or the scale sigma, or loosen the tolerance",
              "mask " + name(), Error::Kind::Numeric);
}

std::vector<double> selfConvolve(const std::vector<double>& f) {
  std::vector<double> a(f.size(), 0.0);
  for (std::size_t k = 0; k < f.size(); ++k) {
    double s = 0.0;
    for (std::size_t p = 0; p <= k; ++p) s += f[p] * f[k - p];
    a[k] = s;
  }
  return a;
}

std::vector<double> deconvolve(const std::vector<double>& alpha) {
  if (alpha.empty()) return {};
  if (!(alpha[0] > 0.0))
    throw Error("alpha_0 = " + number(alpha[0]) +
                    " <= 0: no real f with f * f = alpha exists (f_0 = sqrt(alpha_0)); give the coefficients f_k directly",
                "deconvolve", Error::Kind::Numeric);
  std::vector<double> f(alpha.size(), 0.0);
  f[0] = std::sqrt(alpha[0]);
  for (std::size_t k = 1; k < alpha.size(); ++k) {
    double s = alpha[k];
    for (std::size_t p = 1; p < k; ++p) s -= f[p] * f[k - p];
    f[k] = s / (2.0 * f[0]);
  }
  return f;
}

namespace {
// custom-f is typed as --kernel custom --f (the command line) or chosen in the GUI; diffusion is the
// heat kernel's other name.
constexpr EnumEntry<MaskPreset> kMaskPresets[] = {
    {MaskPreset::Heat, "heat", "heat  exp(beta W)"},
    {MaskPreset::RegLap1, "reglap1", "reg. Laplacian  (I - beta W)^-1"},
    {MaskPreset::RegLap2, "reglap2", "reg. Laplacian  (I - beta W)^-2"},
    {MaskPreset::PStep, "pstep", "p-step  (I + beta W)^p"},
    {MaskPreset::Cosine, "cosine", "cosine"},
    {MaskPreset::Custom, "custom", "custom alpha"},
    {MaskPreset::CustomF, "custom-f", "custom f", false},
    {MaskPreset::Heat, "diffusion", "heat  exp(beta W)", false},
};
}  // namespace

const EnumTable<MaskPreset>& maskPresetTable() {
  static const EnumTable<MaskPreset> table{"mask kernel", kMaskPresets};
  return table;
}
MaskPreset parseMaskPreset(const std::string& text) { return maskPresetTable().parse(text); }

}  // namespace topomask
