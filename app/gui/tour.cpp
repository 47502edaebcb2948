#include "gui/tour.h"

#include "model/pipeline.h"
#include "topomask/core/error.h"

namespace topomask::gui {

const std::vector<TourStep>& tourSteps() {
  static const std::vector<TourStep> steps = {
      {"1. The graph",
       "Every vertex, point or pixel is a node; edges join neighbours, weighted by distance. W is this "
       "weighted adjacency matrix, normalised. The red dot is the query node: click any node to move it."},
      {"2. The mask",
       "The topological mask M = g(W) = sum_k alpha_k W^k (here M = {mask}). Row M[q, :] "
       "tells how much token q may attend to every other token: it decays with distance along the surface, "
       "not through the air. Computing all of M costs O(N^2) or worse."},
      {"3. Random walks",
       "Graph random features replace the matrix function by random walks. From the query, n walkers "
       "step to random neighbours and halt with probability p; at step t each adds load x f_t to the node "
       "it stands on. Press '+1 walker' or 'Play' in the Random walks panel.",
       true},
      {"4. The GRF estimate",
       "The walks give a sparse feature vector phi(q); M_hat[q, j] = phi(q) . phi(j) is an unbiased "
       "estimate of M[q, j]. Left exact, middle estimate, right their difference: with 16 walkers the shape "
       "is already there."},
      {"5. More walkers",
       "With 64 walkers per node the difference shrinks: the mean squared error falls like 1/n. The "
       "Insight views window plots it against n for this graph, with the 1/n slope and the concentration "
       "bound (opened over the first view, so the difference stays in sight). Each feature vector stays "
       "sparse, so the cost is O(N n / p).",
       false, true},
      {"6. Attention: unmasked vs masked",
       "Left: plain softmax attention of the query token. Middle: linear attention masked by the GRF "
       "estimate, computed in O(N) without ever forming M. The mask makes attention follow the geometry."},
      {"7. Cost against N",
       "Dense masked attention costs O(N^2) time and memory; the GRF-masked linear attention costs O(N). "
       "The Insight views window runs `topomask bench` on grid graphs and plots time and peak memory "
       "against N for each algorithm (log-log: slope 1 is linear, slope 2 quadratic). Load your own mesh, "
       "point cloud or image (Data panel) and replay this tour on it.",
       false, false, true},
  };
  return steps;
}

std::string tourText(int step, const AppState& state) {
  if (step < 0 || step >= static_cast<int>(tourSteps().size()))
    throw usageError("tour step " + std::to_string(step) + " does not exist");
  std::string text = tourSteps()[static_cast<std::size_t>(step)].text;
  const std::string formula = state.results.maskInfo.formula.empty() ? std::string("g(W) as set in the Mask panel")
                                                                      : state.results.maskInfo.formula;
  for (std::size_t at; (at = text.find("{mask}")) != std::string::npos;) text.replace(at, 6, formula);
  return text;
}

std::vector<Command> tourCommands(int step, const AppState& state) {
  if (step < 0 || step >= static_cast<int>(tourSteps().size()))
    throw usageError("tour step " + std::to_string(step) + " does not exist");
  std::vector<Command> out;
  if (state.query < 0 && state.results.graph) out.push_back(SelectQuery{defaultQuery(*state.results.graph)});
  ViewSettings v = state.view;
  GrfOptions g = state.grf;
  AttentionParams a = state.attention;
  v.layout = Layout::Mask;
  v.wireframe = false;
  switch (step) {
    case 0: v.viewCount = 1; v.wireframe = true; v.edges = true; break;
    case 1: v.viewCount = 1; v.rangeMode = render::RangeMode::Log; break;
    case 2: v.viewCount = 2; g.walkers = 16; break;
    case 3: v.viewCount = 3; g.walkers = 16; break;
    case 4: v.viewCount = 3; g.walkers = 64; break;
    case 5:
      v.layout = Layout::Attention;
      v.viewCount = 3;
      a.a = AttentionMethod::Softmax;
      a.b = AttentionMethod::GrfMasked;
      break;
    default: v.viewCount = 3; break;
  }
  if (g.sampling == Sampling::Antithetic && g.walkers % 2) ++g.walkers;
  if (!(v == state.view)) out.push_back(SetView{v});
  if (g.walkers != state.grf.walkers) out.push_back(SetGrf{g});
  if (!(a == state.attention)) out.push_back(SetAttention{a});
  return out;
}

}  // namespace topomask::gui
