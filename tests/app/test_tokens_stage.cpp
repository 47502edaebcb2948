// The stages of the application (model/pipeline.h): their one order (runStages), and the tokens
// stage (runTokensStage) with a token file: the chosen head's q, k, v become the attention inputs; a
// file that cannot be used leaves no tokens and says why without throwing (so the stages after it
// still run); the head count reaches the panel.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gui/commands.h"
#include "model/pipeline.h"
#include "support/test_graphs.h"
#include "topomask/core/npz.h"

using namespace topomask;
using namespace topomask::gui;

namespace {

// H x N x d arrays with entry (h, i, c) = h + 0.01 i - 0.1 c (k: negated; v: h + i).
void writeHeads(const std::string& path, int heads, int nodes, int d, double poison = 0.0) {
  std::vector<double> q, k, v;
  for (int h = 0; h < heads; ++h)
    for (int i = 0; i < nodes; ++i)
      for (int c = 0; c < d; ++c) {
        q.push_back(h + 0.01 * i - 0.1 * c);
        k.push_back(-(h + 0.01 * i - 0.1 * c));
        v.push_back(h + i);
      }
  if (poison != 0.0) v[3] = poison;
  const std::vector<std::int64_t> shape = {heads, nodes, d};
  const std::size_t bytes = q.size() * sizeof(double);
  writeNpz(path, {{"q", "<f8", shape, q.data(), bytes}, {"k", "<f8", shape, k.data(), bytes}, {"v", "<f8", shape, v.data(), bytes}});
}

// The stages in one order for the window's heavy lane and runStagesNow (runStages): each result
// reaches the sink as it finishes, in the order load, graph, mask, tokens, GRF, errors; a GRF stage
// that needs the user's answer gives the question and nothing after it; a series that diverged is
// handed to the sink (the window) or thrown (runStagesNow).
TEST(Stages, RunInOneOrderAndHandEachResultToTheSink) {
  std::vector<std::string> order;
  StageSink sink;
  sink.loaded = [&](std::shared_ptr<const Scene> scene, double) { order.push_back(scene ? "load" : "load without a scene"); };
  sink.graph = [&](const GraphStage& g) { order.push_back(g.graph ? "graph" : "graph missing"); };
  sink.mask = [&](const MaskStage& m) { order.push_back(m.mask ? "mask" : "mask missing"); };
  sink.maskFailed = [&](const Error&) { order.push_back("mask failed"); };
  sink.tokens = [&](const TokensStage& t) { order.push_back(t.tokens ? "tokens" : "tokens missing"); };
  sink.grfWaits = [&](const GrfStageCost& c) { order.push_back(c.ask ? "grf asks" : "grf asks for nothing"); };
  sink.grf = [&](const GrfStage& g) { order.push_back(g.grf ? "grf" : "grf missing"); };
  sink.errors = [&](const ErrorsStage& e) { order.push_back(e.relFrobenius >= 0 ? "errors" : "errors missing"); };
  AppState state;
  state.grf.walkers = 4;
  const unsigned all = StageLoad | StageGraph | StageMask | StageTokens | StageGrf | StageErrors;
  runStages(stageRun(state, all, ""), sink, nullptr);
  EXPECT_EQ(order, (std::vector<std::string>{"load", "graph", "mask", "tokens", "grf", "errors"}));

  // The demo's graph with a GRF stage far above the cost threshold, not confirmed: the question only.
  runStagesNow(state, "", StageLoad | StageGraph);
  order.clear();
  StageRun costly = stageRun(state, StageGrf | StageErrors, "");
  costly.grf.walkers = 65536;  // about 3e9 hops on the demo: far above kAskSeconds
  costly.costConfirmed = false;
  runStages(costly, sink, nullptr);
  EXPECT_EQ(order, (std::vector<std::string>{"grf asks"}));

  // reglap1 with beta rho >= 1 diverges: the window's sink gets it, runStagesNow throws it.
  order.clear();
  StageRun diverging = stageRun(state, StageMask, "");
  diverging.mask = MaskSpec{MaskPreset::RegLap1, 1.5, 2, {}, {}};
  runStages(diverging, sink, nullptr);
  EXPECT_EQ(order, (std::vector<std::string>{"mask failed"}));
  state.mask = diverging.mask;
  EXPECT_THROW(runStagesNow(state, "", StageMask), Error);

  // A run that loads starts from nothing: it reads no earlier result, and a failed load leaves none.
  ASSERT_TRUE(state.results.graph);
  const StageRun reload = stageRun(state, StageLoad | StageGraph, "");
  EXPECT_FALSE(reload.scene);
  EXPECT_FALSE(reload.graphData);
  EXPECT_THROW(runStagesNow(state, topomask::testing::tempDir("stages") + "/missing.obj", StageLoad | StageGraph), Error);
  EXPECT_FALSE(state.results.graph);
  EXPECT_FALSE(state.results.scene);
}

}  // namespace

TEST(TokensStage, TheChosenHeadOfAFileBecomesTheInputs) {
  const std::string dir = topomask::testing::tempDir("tokens_stage");
  const Graph g = topomask::testing::pathGraph(8);
  writeHeads(dir + "/t.npz", 3, 8, 4);
  AttentionParams p;
  p.featureMap = FeatureMapKind::Relu;
  p.tokensFromFile = true;
  p.tokenFile = dir + "/t.npz";
  EXPECT_EQ(knownTokenHeads(p.tokenFile), 0) << "not read yet";
  for (int head = 0; head < 3; ++head) {
    p.head = head;
    const TokensStage t = runTokensStage(g, p);
    ASSERT_FALSE(t.failure) << t.failure->what();
    ASSERT_TRUE(t.tokens);
    ASSERT_EQ(t.tokens->queries.rows(), 8);
    ASSERT_EQ(t.tokens->queries.cols(), 4);
    EXPECT_DOUBLE_EQ(t.tokens->queries(5, 2), head + 0.05 - 0.2);
    EXPECT_DOUBLE_EQ(t.tokens->keys(5, 2), -(head + 0.05 - 0.2));
    EXPECT_DOUBLE_EQ(t.tokens->values(6, 1), head + 6);
    EXPECT_DOUBLE_EQ(t.tokens->phiQ(5, 2), std::max(head + 0.05 - 0.2, 0.0) + 1e-6) << "relu feature map";
    EXPECT_NE(t.note.find("head " + std::to_string(head) + " of 3"), std::string::npos) << t.note;
  }
  EXPECT_EQ(knownTokenHeads(p.tokenFile), 3);

  // Projections when the file is not chosen.
  p.tokensFromFile = false;
  const TokensStage projected = runTokensStage(g, p);
  ASSERT_TRUE(projected.tokens);
  EXPECT_EQ(projected.tokens->queries.cols(), p.headDim);
}

TEST(TokensStage, AFileThatCannotBeUsedSaysWhyWithoutThrowing) {
  const std::string dir = topomask::testing::tempDir("tokens_stage_bad");
  const Graph g = topomask::testing::pathGraph(8);
  writeHeads(dir + "/nodes.npz", 2, 9, 4);
  writeHeads(dir + "/nan.npz", 1, 8, 4, std::numeric_limits<double>::quiet_NaN());
  AttentionParams p;
  p.tokensFromFile = true;
  struct Case {
    std::string file;
    int head;
    std::string words;
    Error::Kind kind;
  };
  for (const Case& c : {Case{dir + "/nodes.npz", 0, "9 rows", Error::Kind::Input},
                        Case{dir + "/nan.npz", 0, "array 'v'", Error::Kind::Input},
                        Case{dir + "/missing.npz", 0, "no such file", Error::Kind::Input},
                        Case{dir + "/nodes.npz", 2, "head 2", Error::Kind::Usage}, Case{"", 0, ".npz", Error::Kind::Usage}}) {
    SCOPED_TRACE(c.file);
    p.tokenFile = c.file;
    p.head = c.head;
    TokensStage t;
    EXPECT_NO_THROW(t = runTokensStage(g, p));
    EXPECT_FALSE(t.tokens);
    ASSERT_TRUE(t.failure);
    EXPECT_EQ(t.failure->kind(), c.kind);
    EXPECT_NE(t.note.find(c.words), std::string::npos) << t.note;
    EXPECT_NE(t.note.find(c.file), std::string::npos) << t.note;
  }
  EXPECT_EQ(knownTokenHeads(dir + "/nodes.npz"), 2) << "a head out of range still tells how many there are";

  // The rows of the query say why there are no attention rows (the status line shows it).
  p.tokenFile = dir + "/nodes.npz";
  p.head = 0;
  EXPECT_FALSE(runTokensStage(g, p).tokens);
  RowsInput in;
  in.graph = std::make_shared<const Graph>(g);
  in.attention = p;
  in.query = 0;
  const std::string note = computeRows(in).note;
  EXPECT_NE(note.find("no attention rows"), std::string::npos) << note;
  EXPECT_NE(note.find("9 rows"), std::string::npos) << note;
}

TEST(TokensStage, ChangingTheTokenFileOrHeadRecomputesTheTokens) {
  AppState s;
  AttentionParams a = s.attention;
  a.tokensFromFile = true;
  EXPECT_EQ(apply(s, SetAttention{a}).stale, withDependents(StageTokens));
  a.tokenFile = "t.npz";
  EXPECT_EQ(apply(s, SetAttention{a}).stale, withDependents(StageTokens));
  a.head = 1;
  EXPECT_EQ(apply(s, SetAttention{a}).stale, withDependents(StageTokens));
  EXPECT_EQ(apply(s, SetAttention{a}).stale, 0u) << "nothing changed";
  EXPECT_EQ(s.attention.tokenFile, "t.npz");
  EXPECT_EQ(s.attention.head, 1);
}
