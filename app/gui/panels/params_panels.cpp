// Graph, Mask, GRF and Attention panels: parameters in, commands out.
#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels/panels.h"
#include "model/pipeline.h"

namespace topomask::gui {

namespace {

// A combo over an enum's descriptor table (topomask/core/enum_table.h): its listed values, by label,
// and the unlisted ones in `alsoOffer` (values the command line types its own way).
template <typename E>
bool combo(const char* label, E& value, const EnumTable<E>& table, std::initializer_list<E> alsoOffer = {}) {
  bool changed = false;
  if (ImGui::BeginCombo(label, table.label(value))) {
    for (const EnumEntry<E>& e : table.entries)
      if ((e.listed || (std::find(alsoOffer.begin(), alsoOffer.end(), e.value) != alsoOffer.end() &&
                        table.find(e.value) == &e)) &&
          ImGui::Selectable(e.label, e.value == value)) {
        changed = e.value != value;
        value = e.value;
      }
    ImGui::EndCombo();
  }
  return changed;
}

template <typename E>
bool combo(const char* label, E& value, std::initializer_list<std::pair<E, const char*>> items) {
  const char* current = "?";
  for (const auto& [v, name] : items)
    if (v == value) current = name;
  bool changed = false;
  if (ImGui::BeginCombo(label, current)) {
    for (const auto& [v, name] : items)
      if (ImGui::Selectable(name, v == value)) {
        changed = v != value;
        value = v;
      }
    ImGui::EndCombo();
  }
  return changed;
}

bool inputDouble(const char* label, double& v, double step, const char* format = "%.4g") {
  return ImGui::InputDouble(label, &v, step, step * 10, format);
}

std::string joinNumbers(const std::vector<double>& xs) {
  std::string out;
  char buffer[32];
  for (double x : xs) {
    std::snprintf(buffer, sizeof buffer, "%s%.6g", out.empty() ? "" : ",", x);
    out += buffer;
  }
  return out;
}

bool parseNumbers(const std::string& text, std::vector<double>& out) {
  std::vector<double> xs;
  const char* p = text.c_str();
  while (*p) {
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end == p) return false;
    xs.push_back(v);
    p = end;
    while (*p == ',' || *p == ' ') ++p;
  }
  if (xs.empty()) return false;
  out = xs;
  return true;
}

}  // namespace

void graphPanel(const AppState& s, const Emit& emit) {
  GraphOptions g = s.graph;
  bool changed = combo("graph", g.kind, graphKindTable());
  if (g.kind == GraphKind::Knn || (g.kind == GraphKind::Auto && s.results.scene && s.results.scene->kind() == SceneKind::Points))
    changed |= ImGui::SliderInt("k", &g.k, 1, 32);
  if (g.kind == GraphKind::Radius) changed |= inputDouble("radius (0 = auto)", g.radius, 0.001);
  if (g.kind == GraphKind::Patch) changed |= ImGui::SliderInt("patch size", &g.patch, 2, 64);
  changed |= combo("weights", g.weights, edgeWeightsTable());
  changed |= combo("normalisation", g.normalisation, normalisationTable());
  changed |= inputDouble("sigma", g.sigma, 0.05);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("W = sigma * normalised(A)");
  if (changed) emit(SetGraphOptions{g});
  const GraphInfo& info = s.results.graphInfo;
  if (s.results.graph)
    ImGui::TextDisabled("N %lld, |E| %lld, rho(W) %.4g", static_cast<long long>(info.nodes),
                        static_cast<long long>(info.edges), info.spectralRadius);
  if (s.results.graph && !info.kindNote.empty()) ImGui::TextDisabled("%s", info.kindNote.c_str());
}

void maskPanel(const AppState& s, const Emit& emit) {
  MaskSpec m = s.mask;
  bool changed = combo("kernel", m.preset, maskPresetTable(), {MaskPreset::CustomF});
  if (m.preset == MaskPreset::Custom || m.preset == MaskPreset::CustomF) {
    std::vector<double>& coeffs = m.preset == MaskPreset::Custom ? m.alpha : m.f;
    if (coeffs.empty()) coeffs = {1.0, 0.5, 0.25};
    std::string text = joinNumbers(coeffs);
    if (ImGui::InputText(m.preset == MaskPreset::Custom ? "alpha_0..K" : "f_0..K", &text, ImGuiInputTextFlags_EnterReturnsTrue))
      changed |= parseNumbers(text, coeffs);
    changed |= s.mask.preset != m.preset;
  } else {
    float beta = static_cast<float>(m.beta);
    // Wide enough for the default exp(8 W) and for masks that reach far on fine meshes.
    if (ImGui::SliderFloat("beta", &beta, -3.0f, 32.0f, "%.3f")) {
      m.beta = beta;
      changed = true;
    }
    if (m.preset == MaskPreset::PStep) changed |= ImGui::SliderInt("p", &m.p, 0, 12);
  }
  if (changed) emit(SetMask{m});
  const MaskInfo& info = s.results.maskInfo;
  if (!info.failure.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", info.failure.c_str());
    ImGui::PopStyleColor();
  }
  if (s.results.mask) {
    ImGui::TextDisabled("M = %s", info.formula.c_str());
    ImGui::TextDisabled("K = %d terms, rho = %.4g (%s), tail <= %.2g", info.terms, info.rho, info.rhoSource.c_str(),
                        info.tailBound);
  }
}

void costAnswerButtons(const AppState& s, const Emit& emit) {
  if (ImGui::Button("Compute")) emit(AnswerCost{CostAnswer::Compute});
  if (s.costQuestion.affordableWalkers > 0) {
    ImGui::SameLine();
    const std::string label = "Use " + std::to_string(s.costQuestion.affordableWalkers) + " walkers";
    if (ImGui::Button(label.c_str())) emit(AnswerCost{CostAnswer::UseAffordable});
  }
  if (s.costQuestion.open) {
    ImGui::SameLine();
    if (ImGui::Button("Not now")) emit(AnswerCost{CostAnswer::NotNow});
  }
}

void grfPanel(const AppState& s, const Emit& emit) {
  GrfOptions g = s.grf;
  bool changed = false;
  if (g.sampling == Sampling::Antithetic) {
    // Antithetic termination pairs the walkers: the slider moves in pairs, so it only offers even
    // counts. An odd count from before (switching the sampling) is not rounded here: the engine
    // refuses it (validateGrfOptions) and the status line says why.
    int pairs = std::max(1, g.walkers / 2);
    const std::string label = "walkers " + std::to_string(g.walkers) + "###walkers";  // the id stays while the count changes
    if (ImGui::SliderInt(label.c_str(), &pairs, 1, 128, "%d pairs", ImGuiSliderFlags_Logarithmic)) {
      g.walkers = 2 * pairs;
      changed = true;
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d walkers (antithetic sampling pairs them)", g.walkers);
  } else {
    changed = ImGui::SliderInt("walkers", &g.walkers, 1, 256, "%d", ImGuiSliderFlags_Logarithmic);
  }
  float pHalt = static_cast<float>(g.pHalt);
  if (ImGui::SliderFloat("p_halt", &pHalt, 0.0f, 0.9f, "%.3f")) {
    g.pHalt = pHalt;
    changed = true;
  }
  changed |= ImGui::SliderInt("max length", &g.maxLength, 0, 256);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("L_max: 0 = no cap (needs p_halt > 0)");
  changed |= combo("sampling", g.sampling, samplingTable());
  changed |= combo("ensembles", g.ensemble, ensembleTable());
  int seed = static_cast<int>(g.seed);
  if (ImGui::InputInt("seed", &seed)) {
    g.seed = static_cast<std::uint64_t>(std::max(seed, 0));
    changed = true;
  }
  if (changed) emit(SetGrf{g});
  if (!s.costQuestion.text.empty() && !s.costQuestion.open) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.78f, 0.35f, 1.0f));
    ImGui::TextWrapped("Not computed: %s.", s.costQuestion.text.c_str());
    ImGui::PopStyleColor();
    costAnswerButtons(s, emit);
  }
  if (s.results.grf)
    ImGui::TextDisabled("nnz %lld (%.1f per row), %.1f MB", static_cast<long long>(s.results.grfInfo.nonZeros),
                        s.results.grfInfo.nonZerosPerRow, s.results.grfInfo.bytes / 1e6);
}

void attentionPanel(const AppState& s, const Emit& emit) {
  AttentionParams a = s.attention;
  auto methods = [&](const char* label, AttentionMethod& m) {
    bool changed = false;
    if (ImGui::BeginCombo(label, attentionMethodName(m))) {
      for (const AttentionMethodInfo& info : attentionMethods()) {
        if (!info.inViews) continue;
        const AttentionMethod method = info.method;
        if (ImGui::Selectable(info.name, method == m)) {
          changed = method != m;
          m = method;
        }
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", info.label);
      }
      ImGui::EndCombo();
    }
    return changed;
  };
  bool changed = methods("method A", a.a);
  changed |= methods("method B", a.b);
  changed |= combo("feature map", a.featureMap, featureMapTable());
  if (a.featureMap == FeatureMapKind::Favor) changed |= ImGui::SliderInt("features m", &a.favorFeatures, 4, 256);
  // Tokens: the seeded projections of node features, or a model's own q, k, v from a .npz.
  changed |= combo("tokens", a.tokensFromFile, {{false, "projections of node features"}, {true, "from a file"}});
  if (a.tokensFromFile) {
    static std::string typed, shown;  // the path being typed (Enter applies it)
    if (shown != a.tokenFile) typed = shown = a.tokenFile;
    if (ImGui::InputTextWithHint("##token file", "tokens.npz: q, k, v (N x d or H x N x d)", &typed,
                                 ImGuiInputTextFlags_EnterReturnsTrue) &&
        typed != a.tokenFile) {
      a.tokenFile = typed;
      a.head = 0;
      changed = true;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("numpy.savez(path, q=Q, k=K, v=V): one row per node of the graph (Enter loads it)");
    const std::int64_t heads = knownTokenHeads(a.tokenFile);
    if (heads > 1) changed |= ImGui::SliderInt("head", &a.head, 0, static_cast<int>(heads - 1));
  } else {
    changed |= ImGui::SliderInt("head dim d", &a.headDim, 2, 64);
  }
  int seed = static_cast<int>(a.seed);
  if (ImGui::InputInt("token seed", &seed)) {
    a.seed = static_cast<std::uint64_t>(std::max(seed, 0));
    changed = true;
  }
  if (changed) emit(SetAttention{a});
  if (s.view.layout != Layout::Attention && ImGui::Button("Show attention rows")) {
    ViewSettings v = s.view;
    v.layout = Layout::Attention;
    emit(SetView{v});
  }
  if (!s.results.tokens && !s.heavy.busy && s.attention.tokensFromFile && !s.results.tokensNote.empty()) {
    // Why the token file cannot be used.
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.42f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", s.results.tokensNote.c_str());
    ImGui::PopStyleColor();
  } else if (!s.results.tokens) ImGui::TextDisabled(s.heavy.busy ? "preparing tokens ..." : "tokens not available");
  else ImGui::TextDisabled("%s", s.results.tokensNote.c_str());
}

}  // namespace topomask::gui
