#include "topomask/grf/options.h"

#include "topomask/core/error.h"

namespace topomask {

const char* samplingName(Sampling s) {
  switch (s) {
    case Sampling::Iid: return "iid";
    case Sampling::Antithetic: return "antithetic";
    case Sampling::Repelling: return "repelling";
  }
  return "?";
}

const char* ensembleName(Ensemble e) {
  switch (e) {
    case Ensemble::Shared: return "shared";
    case Ensemble::Independent: return "independent";
    case Ensemble::Asymmetric: return "asymmetric";
  }
  return "?";
}

Sampling parseSampling(const std::string& text) {
  for (auto s : {Sampling::Iid, Sampling::Antithetic, Sampling::Repelling})
    if (text == samplingName(s)) return s;
  throw usageError("unknown sampling scheme '" + text + "' (iid, antithetic, repelling)");
}

Ensemble parseEnsemble(const std::string& text) {
  for (auto e : {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric})
    if (text == ensembleName(e)) return e;
  throw usageError("unknown ensemble '" + text + "' (shared, independent, asymmetric)");
}

}  // namespace topomask
