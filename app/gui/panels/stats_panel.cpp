// Statistics panel: counts, timings of every step, error figures, non-zeros, memory.
#include <imgui.h>

#include "gui/panels/panels.h"
#include "model/pipeline.h"

namespace topomask::gui {

namespace {

void row(const char* name, const char* format, double value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(name);
  ImGui::TableNextColumn();
  if (value < 0) ImGui::TextDisabled("-");
  else ImGui::Text(format, value);
}

void ms(const char* name, double seconds) { row(name, "%.1f ms", seconds < 0 ? -1.0 : seconds * 1e3); }

}  // namespace

void statsPanel(const AppState& s) {
  const Results& r = s.results;
  if (!ImGui::BeginTable("stats", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) return;
  const bool g = r.graph != nullptr;
  row("nodes", "%.0f", g ? static_cast<double>(r.graphInfo.nodes) : -1);
  row("edges", "%.0f", g ? static_cast<double>(r.graphInfo.edges) : -1);
  row("components", "%.0f", g ? static_cast<double>(r.graphInfo.components) : -1);
  if (g) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("degree min/mean/max");
    ImGui::TableNextColumn();
    ImGui::Text("%lld / %.2f / %lld", static_cast<long long>(r.graphInfo.degree.min), r.graphInfo.degree.mean,
                static_cast<long long>(r.graphInfo.degree.max));
  }
  row("rho(W)", "%.5g", g ? r.graphInfo.spectralRadius : -1);
  row("series terms K", "%.0f", r.mask ? r.maskInfo.terms : -1);
  row("GRF non-zeros", "%.0f", r.grf ? static_cast<double>(r.grfInfo.nonZeros) : -1);
  row("GRF nnz per row", "%.2f", r.grf ? r.grfInfo.nonZerosPerRow : -1);
  ms("load", r.timings.load);
  ms("graph + statistics", r.timings.graph);
  ms("mask operator", r.timings.mask);
  ms("GRF sampling", r.timings.grf);
  ms("tokens", r.timings.tokens);
  ms("error estimate", r.timings.errors);
  ms("exact row", r.timings.exactRow);
  ms("GRF row", r.timings.grfRow);
  ms("attention rows", r.timings.attentionRows);
  ms("click -> rows", r.timings.rowsTotal);
  row("row rel. error", "%.4g", r.errors.rowRelError);
  row("rel. Frobenius error", "%.4g", r.errors.relFrobenius);
  row("rel. Frobenius^2", "%.4g", r.errors.relFrobeniusSq);
  row("rows used for it", "%.0f", r.errors.relFrobenius >= 0 ? static_cast<double>(r.errors.rowsUsed) : -1);
  row("attention L1 (A vs B)", "%.4g", r.errors.attentionRowL1);
  row("graph memory", "%.1f MB", g ? r.graphInfo.bytes / 1e6 : -1);
  row("GRF memory", "%.1f MB", r.grf ? r.grfInfo.bytes / 1e6 : -1);
  row("process memory", "%.0f MB", static_cast<double>(residentBytes()) / 1e6);
  ImGui::EndTable();
}

}  // namespace topomask::gui
