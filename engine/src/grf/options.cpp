#include "topomask/grf/options.h"

#include "topomask/core/error.h"

namespace topomask {

namespace {
constexpr EnumEntry<Sampling> kSampling[] = {
    {Sampling::Iid, "iid", "i.i.d."},
    {Sampling::Antithetic, "antithetic", "antithetic termination"},
    {Sampling::Repelling, "repelling", "repelling"},
};
constexpr EnumEntry<Ensemble> kEnsembles[] = {
    {Ensemble::Shared, "shared", "shared  Phi Phi^T"},
    {Ensemble::Independent, "independent", "independent  Phi_Q Phi_K^T"},
    {Ensemble::Asymmetric, "asymmetric", "asymmetric  Phi_alpha"},
};
}  // namespace

const EnumTable<Sampling>& samplingTable() {
  static const EnumTable<Sampling> table{"sampling scheme", kSampling};
  return table;
}
const EnumTable<Ensemble>& ensembleTable() {
  static const EnumTable<Ensemble> table{"ensemble", kEnsembles};
  return table;
}
const char* samplingName(Sampling s) { return samplingTable().name(s); }
const char* ensembleName(Ensemble e) { return ensembleTable().name(e); }
Sampling parseSampling(const std::string& text) { return samplingTable().parse(text); }
Ensemble parseEnsemble(const std::string& text) { return ensembleTable().parse(text); }

}  // namespace topomask
