// Block-Toeplitz masks on pixel grids and feature-map attention with them by 2-D FFT convolution
// (Eigen's FFT module; 2-D transforms as 1-D transforms of the rows, then of the columns).
#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include <unsupported/Eigen/FFT>

#include "attention/guard.h"
#include "topomask/attention/attention.h"
#include "topomask/core/error.h"
#include "topomask/core/parallel.h"

namespace topomask {

namespace {

using Complex = std::complex<double>;

// Smallest n >= target whose prime factors are 2, 3 and 5.
int nextFastSize(int target) {
  for (int n = std::max(target, 1);; ++n) {
    int r = n;
    for (int p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return n;
  }
}

// In-place 2-D FFT of a row-major py x px array; only rows [0, liveRows) are non-zero on the way in
// (forward) or needed on the way out (inverse). One FFT object per worker (plans are not shared).
class Fft2d {
 public:
  Fft2d(int px, int py, int threads) : px_(px), py_(py), threads_(threads), workers_(resolveThreads(threads)) {
    ffts_.resize(static_cast<std::size_t>(workers_));
  }

  void forward(std::vector<Complex>& a, int liveRows) { run(a, liveRows, false); }
  void inverse(std::vector<Complex>& a, int liveRows) { run(a, liveRows, true); }

 private:
  void run(std::vector<Complex>& a, int liveRows, bool inverse) {
    auto rows = [&](void) {
      parallelFor(0, workers_, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t t = lo; t < hi; ++t) {
          auto& fft = ffts_[static_cast<std::size_t>(t)];
          std::vector<Complex> tmp(static_cast<std::size_t>(px_));
          for (std::int64_t y = liveRows * t / workers_; y < liveRows * (t + 1) / workers_; ++y) {
            Complex* row = a.data() + y * px_;
            if (inverse)
              fft.inv(tmp.data(), row, px_);
            else
              fft.fwd(tmp.data(), row, px_);
            std::copy(tmp.begin(), tmp.end(), row);
          }
        }
      }, threads_, 1);
    };
    auto cols = [&](void) {
      parallelFor(0, workers_, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t t = lo; t < hi; ++t) {
          auto& fft = ffts_[static_cast<std::size_t>(t)];
          std::vector<Complex> in(static_cast<std::size_t>(py_)), out(static_cast<std::size_t>(py_));
          for (std::int64_t x = px_ * t / workers_; x < px_ * (t + 1) / workers_; ++x) {
            for (int y = 0; y < py_; ++y) in[y] = a[static_cast<std::size_t>(y) * px_ + x];
            if (inverse)
              fft.inv(out.data(), in.data(), py_);
            else
              fft.fwd(out.data(), in.data(), py_);
            for (int y = 0; y < py_; ++y) a[static_cast<std::size_t>(y) * px_ + x] = out[y];
          }
        }
      }, threads_, 1);
    };
    if (inverse) {
      cols();
      rows();
    } else {
      rows();
      cols();
    }
  }

  int px_, py_, threads_, workers_;
  std::vector<Eigen::FFT<double>> ffts_;
};

void checkGrid(const ToeplitzMask& mask) {
  if (mask.width < 1 || mask.height < 1 || mask.kernel.rows() != 2 * mask.radiusY + 1 ||
      mask.kernel.cols() != 2 * mask.radiusX + 1)
    throw usageError("Toeplitz mask: inconsistent grid size or kernel radii");
}

// Convolves channels (each an N-vector on the grid, N = width * height) with g (or its flip), two per
// complex transform, and hands each result to sink(channel, values).
class GridConvolver {
 public:
  GridConvolver(const ToeplitzMask& mask, bool absMask, int threads)
      : w_(mask.width), h_(mask.height), px_(nextFastSize(mask.width + mask.radiusX)),
        py_(nextFastSize(mask.height + mask.radiusY)), fft_(px_, py_, threads), threads_(threads) {
    spectrum_.assign(static_cast<std::size_t>(px_) * py_, Complex(0, 0));
    for (int dy = -mask.radiusY; dy <= mask.radiusY; ++dy)
      for (int dx = -mask.radiusX; dx <= mask.radiusX; ++dx) {
        const double g = absMask ? std::abs(mask.at(dx, dy)) : mask.at(dx, dy);
        const int x = (dx % px_ + px_) % px_;
        const int y = (dy % py_ + py_) % py_;
        spectrum_[static_cast<std::size_t>(y) * px_ + x] += g;
      }
    fft_.forward(spectrum_, py_);
  }

  // channel(c, out) fills the N values of channel c; sink(c, values) receives g * channel c
  // (flipped: g(-o), for transposed products).
  template <typename Source, typename Sink>
  void convolve(int channels, bool flipped, Source&& channel, Sink&& sink, Progress* progress) {
    std::vector<Complex> buf(static_cast<std::size_t>(px_) * py_);
    const std::int64_t n = static_cast<std::int64_t>(w_) * h_;
    Eigen::VectorXd c1(n), c2(n);
    for (int c = 0; c < channels; c += 2) {
      const bool pair = c + 1 < channels;
      channel(c, c1);
      if (pair) channel(c + 1, c2);
      std::fill(buf.begin(), buf.end(), Complex(0, 0));
      parallelFor(0, h_, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t y = lo; y < hi; ++y)
          for (int x = 0; x < w_; ++x) {
            const std::int64_t i = y * w_ + x;
            buf[static_cast<std::size_t>(y) * px_ + x] = Complex(c1(i), pair ? c2(i) : 0.0);
          }
      }, threads_, 64);
      fft_.forward(buf, h_);
      parallelFor(0, static_cast<std::int64_t>(buf.size()), [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t k = lo; k < hi; ++k)
          buf[k] *= flipped ? std::conj(spectrum_[k]) : spectrum_[k];
      }, threads_, 1 << 14);
      fft_.inverse(buf, h_);
      parallelFor(0, h_, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t y = lo; y < hi; ++y)
          for (int x = 0; x < w_; ++x) {
            const std::int64_t i = y * w_ + x;
            const Complex v = buf[static_cast<std::size_t>(y) * px_ + x];
            c1(i) = v.real();
            c2(i) = v.imag();
          }
      }, threads_, 64);
      sink(c, c1);
      if (pair) sink(c + 1, c2);
      reportProgress(progress, std::min(1.0, (c + 2.0) / channels));
    }
  }

 private:
  int w_, h_, px_, py_;
  Fft2d fft_;
  int threads_;
  std::vector<Complex> spectrum_;
};

}  // namespace

ToeplitzMask toeplitzMaskFromRow(int width, int height, const Eigen::VectorXd& centreRow, double relTolerance) {
  if (width < 1 || height < 1) throw usageError("Toeplitz mask: the grid must be at least 1 x 1");
  const std::int64_t n = static_cast<std::int64_t>(width) * height;
  if (centreRow.size() != n)
    throw usageError("Toeplitz mask: the centre row must have width * height = " + std::to_string(n) + " entries");
  const int cx = width / 2;
  const int cy = height / 2;
  const int rxMax = std::min(cx, width - 1 - cx);
  const int ryMax = std::min(cy, height - 1 - cy);
  auto g = [&](int dx, int dy) { return centreRow(static_cast<std::int64_t>(cy - dy) * width + (cx - dx)); };
  double maxAbs = 0;
  for (int dy = -ryMax; dy <= ryMax; ++dy)
    for (int dx = -rxMax; dx <= rxMax; ++dx) maxAbs = std::max(maxAbs, std::abs(g(dx, dy)));
  int rx = 0, ry = 0;
  for (int dy = -ryMax; dy <= ryMax; ++dy)
    for (int dx = -rxMax; dx <= rxMax; ++dx)
      if (std::abs(g(dx, dy)) > relTolerance * maxAbs) {
        rx = std::max(rx, std::abs(dx));
        ry = std::max(ry, std::abs(dy));
      }
  ToeplitzMask mask;
  mask.width = width;
  mask.height = height;
  mask.radiusX = rx;
  mask.radiusY = ry;
  mask.kernel.resize(2 * ry + 1, 2 * rx + 1);
  for (int dy = -ry; dy <= ry; ++dy)
    for (int dx = -rx; dx <= rx; ++dx) mask.kernel(dy + ry, dx + rx) = g(dx, dy);
  return mask;
}

Eigen::MatrixXd denseToeplitzMask(const ToeplitzMask& mask) {
  checkGrid(mask);
  const std::int64_t n = static_cast<std::int64_t>(mask.width) * mask.height;
  Eigen::MatrixXd m(n, n);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i)
      m(i, j) = mask.at(static_cast<int>(i % mask.width - j % mask.width),
                        static_cast<int>(i / mask.width - j / mask.width));
  return m;
}

Eigen::VectorXd toeplitzMaskRow(const ToeplitzMask& mask, std::int64_t i) {
  checkGrid(mask);
  const std::int64_t n = static_cast<std::int64_t>(mask.width) * mask.height;
  if (i < 0 || i >= n) throw usageError("query node " + std::to_string(i) + " is out of range");
  Eigen::VectorXd row(n);
  for (std::int64_t j = 0; j < n; ++j)
    row(j) = mask.at(static_cast<int>(i % mask.width - j % mask.width),
                     static_cast<int>(i / mask.width - j / mask.width));
  return row;
}

AttentionOutput toeplitzAttention(const AttentionInputs& in, const ToeplitzMask& mask, const AttentionOptions& o,
                                  Progress* progress) {
  detail::Stopwatch clock;
  checkGrid(mask);
  const Eigen::Index n = in.size();
  if (n != static_cast<Eigen::Index>(mask.width) * mask.height)
    throw usageError("Toeplitz attention: the tokens are not the " + std::to_string(mask.width) + " x " +
                     std::to_string(mask.height) + " grid's pixels");
  if (in.phiQ.rows() != n || in.phiK.rows() != n || in.phiQ.cols() != in.phiK.cols())
    throw usageError("Toeplitz attention: phi(Q) and phi(K) must both be N x m");
  if (o.additiveMask) throw usageError("Toeplitz attention: the additive mask form applies to softmax only");
  const Eigen::Index m = in.phiK.cols();
  const Eigen::Index dv = in.values.cols();
  const Eigen::Index d1 = dv + 1;
  GridConvolver conv(mask, o.absMask, o.threads);
  RowMatrixXd numz = RowMatrixXd::Zero(n, d1);
  // Channel a d1 + e: phi(k)_a v_e (e < d_v) or phi(k)_a (e = d_v).
  auto channel = [&](int c, Eigen::VectorXd& out) {
    const Eigen::Index a = c / d1, e = c % d1;
    if (e < dv)
      out = in.phiK.col(a).cwiseProduct(in.values.col(e));
    else
      out = in.phiK.col(a);
  };
  auto sink = [&](int c, const Eigen::VectorXd& y) {
    const Eigen::Index a = c / d1, e = c % d1;
    numz.col(e) += in.phiQ.col(a).cwiseProduct(y);
  };
  conv.convolve(static_cast<int>(m * d1), false, channel, sink, progress);
  AttentionOutput result;
  const Eigen::VectorXd z = numz.col(dv);
  detail::finishFeatureMap(result, numz.leftCols(dv), z, o.guard);
  if (o.received) {
    const Eigen::VectorXd r = detail::guardedInverse(z, result.floor);
    result.received = Eigen::VectorXd::Zero(n);
    auto rchannel = [&](int a, Eigen::VectorXd& out) { out = in.phiQ.col(a).cwiseProduct(r); };
    auto rsink = [&](int a, const Eigen::VectorXd& y) { result.received += in.phiK.col(a).cwiseProduct(y); };
    conv.convolve(static_cast<int>(m), true, rchannel, rsink, nullptr);
  }
  result.seconds = clock.seconds();
  return result;
}

}  // namespace topomask
