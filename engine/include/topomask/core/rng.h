// Counter-based random streams: (seed, stream id) -> an independent generator.
// Streams derived from (seed, node id) make sampling independent of thread count.
#pragma once

#include <cstdint>
#include <cmath>

namespace topomask {

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256++ seeded from (seed, stream, substream) through SplitMix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0, std::uint64_t substream = 0) noexcept {
    std::uint64_t z = mix64(seed ^ mix64(stream ^ mix64(substream + 0x632be59bd9b4e019ULL)));
    for (auto& word : s_) {
      z = mix64(z);
      word = z;
    }
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, bias < n / 2^64).
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using U128 = unsigned __int128;  // __extension__: GCC/Clang builtin under -pedantic
    return static_cast<std::uint64_t>((static_cast<U128>(next()) * n) >> 64);
  }

  // Standard normal deviate (Box-Muller; one value per call, the pair's twin is dropped).
  double normal() noexcept {
    double u1 = uniform();
    const double u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace topomask
