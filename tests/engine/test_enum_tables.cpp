// The descriptor tables of the user-facing enums (core/enum_table.h): every value has a row, every
// name parses back to its value, the old name/parse functions agree with the table, and an unknown
// name is one usage error naming the kind, the text and every listed name.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "topomask/attention/tokens.h"
#include "topomask/core/enum_table.h"
#include "topomask/core/error.h"
#include "topomask/graph/build.h"
#include "topomask/grf/options.h"
#include "topomask/mask/fit.h"
#include "topomask/mask/mask_function.h"

namespace topomask {
namespace {

// `count` values 0..count-1 of E: each has a row, names are unique, and parsing a name gives its value.
template <typename E>
void checkTable(const EnumTable<E>& table, int count) {
  SCOPED_TRACE(table.what);
  std::set<std::string> names;
  for (const EnumEntry<E>& e : table.entries) {
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate name " << e.name;
    EXPECT_EQ(table.parse(e.name), e.value) << e.name;
    EXPECT_GT(std::string(e.label).size(), 0u);
  }
  for (int k = 0; k < count; ++k) {
    const E value = static_cast<E>(k);
    ASSERT_NE(table.find(value), nullptr) << "value " << k << " has no row";
    EXPECT_EQ(table.parse(table.name(value)), value);
  }
  try {
    table.parse("no-such-name");
    ADD_FAILURE() << "an unknown name parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
    const std::string what = e.what();
    EXPECT_NE(what.find(std::string("unknown ") + table.what + " 'no-such-name'"), std::string::npos) << what;
    for (const EnumEntry<E>& entry : table.entries)
      EXPECT_EQ(what.find(std::string(entry.name) + ",") != std::string::npos ||
                    what.find(std::string(entry.name) + ")") != std::string::npos,
                entry.listed)
          << entry.name << " in " << what;
  }
}

TEST(EnumTables, EveryValueHasOneRowAndNamesParseBack) {
  checkTable(graphKindTable(), 8);
  checkTable(edgeWeightsTable(), 4);
  checkTable(normalisationTable(), 3);
  checkTable(samplingTable(), 3);
  checkTable(ensembleTable(), 3);
  checkTable(featureMapTable(), 3);
  checkTable(nodeFeatureTable(), 4);
  checkTable(maskPresetTable(), 7);
  checkTable(fitMethodTable(), 3);
}

TEST(EnumTables, TheNamedFunctionsReadTheTables) {
  EXPECT_STREQ(graphKindName(GraphKind::Grid4), "grid4");
  EXPECT_EQ(parseGraphKind("knn"), GraphKind::Knn);
  EXPECT_STREQ(normalisationName(Normalisation::RandomWalk), "rw");
  EXPECT_EQ(parseSampling("antithetic"), Sampling::Antithetic);
  EXPECT_STREQ(ensembleName(Ensemble::Asymmetric), "asymmetric");
  // Aliases parse but are neither listed nor the value's name.
  EXPECT_EQ(parseFeatureMapKind("favor+"), FeatureMapKind::Favor);
  EXPECT_STREQ(featureMapName(FeatureMapKind::Favor), "favor");
  EXPECT_EQ(parseNodeFeature("colour"), NodeFeature::Color);
  EXPECT_EQ(parseMaskPreset("diffusion"), MaskPreset::Heat);
  EXPECT_EQ(MaskFunction(MaskSpec{}).name(), "heat");
  EXPECT_EQ(maskPresetTable().list(), "heat, reglap1, reglap2, pstep, cosine, custom");
  EXPECT_EQ(parseFitMethod("sampled"), FitMethod::Sampled);
}

}  // namespace
}  // namespace topomask
