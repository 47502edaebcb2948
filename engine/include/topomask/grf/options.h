// Options of the graph random feature sampler (SPEC section 5).
#pragma once

#include <cstdint>
#include <string>

#include "topomask/core/enum_table.h"

namespace topomask {

enum class Sampling { Iid, Antithetic, Repelling };
// Shared: one ensemble, M_hat = Phi Phi^T (biased diagonal). Independent: Phi_Q, Phi_K from two
// ensembles. Asymmetric: query side modulated by alpha, key side one-hot, M_hat = Phi_alpha.
enum class Ensemble { Shared, Independent, Asymmetric };

struct GrfOptions {
  int walkers = 16;          // n walkers per node (even for antithetic)
  double pHalt = 0.1;        // in [0, 1); 0 only with a finite maxLength (fixed-length walks)
  int maxLength = 64;        // L_max hops at most; 0 means no cap (negative is refused)
  Sampling sampling = Sampling::Iid;
  Ensemble ensemble = Ensemble::Shared;
  std::uint64_t seed = 0;
  int threads = 0;           // 0 = all cores; results do not depend on it
  std::uint64_t memoryLimit = 0;  // bytes the features may take; 0 = the memory available (core/budget.h)

  bool operator==(const GrfOptions&) const = default;
};

const EnumTable<Sampling>& samplingTable();  // core/enum_table.h
const EnumTable<Ensemble>& ensembleTable();
const char* samplingName(Sampling s);   // "iid", "antithetic", "repelling"
const char* ensembleName(Ensemble e);   // "shared", "independent", "asymmetric"
Sampling parseSampling(const std::string& text);  // throws usage Error
Ensemble parseEnsemble(const std::string& text);  // throws usage Error

}  // namespace topomask
