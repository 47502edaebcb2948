#include "model/views_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace topomask::gui {

namespace {

std::vector<float> toFloats(const Eigen::VectorXd& v) {
  std::vector<float> out(static_cast<std::size_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i]);
  return out;
}

std::string percent(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g%%", 100.0 * x);
  return buffer;
}

ViewContent rowView(const std::string& title, const std::string& detail, const Eigen::VectorXd& row, const AppState& s,
                    const char* what) {
  ViewContent v;
  v.title = title;
  if (s.query < 0) {
    v.subtitle = "left-click a node to make it the query";
  } else if (row.size() == 0) {
    v.subtitle = s.rows.busy || s.heavy.busy ? std::string("computing ") + what + " ..." : std::string(what) + " not available";
  } else {
    v.subtitle = detail + "   query " + std::to_string(s.query);
    v.values = toFloats(row);
  }
  v.colormap = s.view.colormap;
  return v;
}

ViewContent differenceView(const std::string& title, const std::string& detail, const Eigen::VectorXd& a,
                           const Eigen::VectorXd& b, const AppState& s) {
  ViewContent v;
  v.title = title;
  v.difference = true;
  v.colormap = s.view.diffColormap;
  if (s.query < 0) v.subtitle = "left-click a node to make it the query";
  else if (a.size() == 0 || a.size() != b.size()) v.subtitle = "waiting for both rows";
  else {
    v.subtitle = detail;
    v.values = toFloats(a - b);
  }
  return v;
}

}  // namespace

std::vector<ViewContent> buildViews(const AppState& s) {
  const Results& r = s.results;
  std::vector<ViewContent> views;
  if (s.view.layout == Layout::Mask) {
    const std::string formula = r.maskInfo.formula.empty() ? std::string("M") : r.maskInfo.formula;
    std::string grfDetail = std::to_string(s.grf.walkers) + " walkers, p_halt " + render::formatValue(s.grf.pHalt) + ", " +
                            ensembleName(s.grf.ensemble) + ", " + samplingName(s.grf.sampling);
    std::string diffDetail = "M_hat - M";
    if (r.errors.rowRelError >= 0) diffDetail += ", row error " + percent(r.errors.rowRelError);
    views.push_back(rowView("Exact mask row  M[q,:]", formula, r.exactRow, s, "exact row"));
    if (!r.maskInfo.failure.empty() && s.query >= 0) views.back().subtitle = "no exact mask: " + r.maskInfo.failure;
    views.push_back(rowView("GRF estimate  M_hat[q,:]", grfDetail, r.grfRow, s, "GRF row"));
    if (!s.costQuestion.text.empty() && r.grfRow.size() == 0 && s.query >= 0)
      views.back().subtitle = "not computed yet: a large job waits for your answer (GRF panel)";
    views.push_back(differenceView("Difference", diffDetail, r.grfRow, r.exactRow, s));
  } else {
    const std::string a = attentionMethodName(s.attention.a), b = attentionMethodName(s.attention.b);
    std::string diffDetail = a + " - " + b;
    if (r.errors.attentionRowL1 >= 0) diffDetail += ", L1 " + render::formatValue(r.errors.attentionRowL1);
    views.push_back(rowView("Attention  " + a, "row a[q,:]", r.attentionA, s, "attention row"));
    views.push_back(rowView("Attention  " + b, "row a[q,:]", r.attentionB, s, "attention row"));
    views.push_back(differenceView("Difference", diffDetail, r.attentionA, r.attentionB, s));
  }
  views.resize(static_cast<std::size_t>(std::clamp(s.view.viewCount, 1, 3)));

  // Ranges: rows per the range mode, optionally shared; differences symmetric.
  bool haveShared = false;
  render::ValueRange shared;
  for (ViewContent& v : views) {
    if (v.difference) {
      v.range = render::differenceRange(v.values);
      continue;
    }
    v.range = render::computeRange(v.values, s.view.rangeMode, s.view.fixedLo, s.view.fixedHi, s.view.fixedLog);
    if (v.values.empty()) continue;
    shared = haveShared ? render::unionRange(shared, v.range) : v.range;
    haveShared = true;
  }
  if (s.view.sameRange && haveShared)
    for (ViewContent& v : views)
      if (!v.difference) v.range = shared;
  // Where the values fall along the colour bar (the bar's own mapping: linear, log or symlog).
  for (ViewContent& v : views) {
    if (v.values.empty()) continue;
    std::vector<float> counts(kHistogramBins, 0.0f);
    for (float x : v.values)
      if (std::isfinite(x))
        counts[static_cast<std::size_t>(std::min(kHistogramBins - 1, static_cast<int>(render::normalise(x, v.range) * kHistogramBins)))] += 1;
    const float top = *std::max_element(counts.begin(), counts.end());
    if (top > 0)
      for (float& c : counts) c = c > 0 ? std::max(0.08f, c / top) : 0.0f;  // a populated bin stays visible
    v.histogram = std::move(counts);
  }
  return views;
}

render::FrameSpec frameSpec(const AppState& s, const std::vector<ViewContent>& views) {
  render::FrameSpec f;
  for (const ViewContent& v : views) {
    render::ViewPanel p;
    p.title = v.title;
    p.subtitle = v.subtitle;
    p.hasScalar = !v.values.empty();
    p.quantity.range = v.range;
    p.quantity.colormap = v.colormap;
    p.histogram = v.histogram;
    f.views.push_back(p);
  }
  f.camera = s.camera;
  f.style.wireframe = s.view.wireframe;
  f.style.edges = s.view.edges;
  f.style.pointScale = s.view.pointScale;
  f.style.overlayOpacity = s.view.overlayOpacity;
  f.query = s.query;
  f.hover = s.hover;
  f.colourBars = s.view.colourBars;
  return f;
}

std::vector<NamedValue> valuesAt(const AppState& s, std::int64_t node) {
  std::vector<NamedValue> out;
  const Results& r = s.results;
  if (!r.graph || node < 0 || node >= r.graph->nodeCount()) return out;
  out.push_back({"degree", static_cast<double>(r.graph->degree(node))});
  auto add = [&](const std::string& name, const Eigen::VectorXd& v) {
    if (v.size() > node) out.push_back({name, v[node]});
  };
  add("exact M[q,i]", r.exactRow);
  add("GRF M_hat[q,i]", r.grfRow);
  if (r.exactRow.size() > node && r.grfRow.size() > node) out.push_back({"M_hat - M", r.grfRow[node] - r.exactRow[node]});
  add(std::string("attention ") + attentionMethodName(s.attention.a), r.attentionA);
  add(std::string("attention ") + attentionMethodName(s.attention.b), r.attentionB);
  return out;
}

}  // namespace topomask::gui
