// LargeVector<T>: std::vector for big arrays of plain numbers (sparse features, attention outputs).
// Two differences from std::vector<T>, both in its allocator:
//  * resize() and the size constructor leave new elements uninitialised (default-initialised), so a
//    buffer that is about to be overwritten is not first zeroed: on large arrays first-touch page
//    faults, not arithmetic, dominate, and zeroing touches every page once more, on one thread.
//    Use assign(n, value) or resize(n, value) where zeros are wanted.
//  * allocations of 4 MiB and more are aligned to 2 MiB and advised MADV_HUGEPAGE (transparent huge
//    pages where the system allows them): 512 times fewer page faults.
// Everything else (element access, iteration, ==, growth) is std::vector's. adviseHugePages gives
// other big buffers (Eigen matrices) the same huge-page advice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/mman.h>

namespace topomask {

template <class T>
class LargeAllocator {
 public:
  using value_type = T;
  static_assert(std::is_trivially_destructible_v<T>, "LargeVector holds plain numbers");

  LargeAllocator() noexcept = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}  // NOLINT: converting, as allocators must be

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kLarge) return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;  // aligned_alloc wants a multiple
    void* p = std::aligned_alloc(kHuge, rounded);
    if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure changes nothing but speed
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kLarge)
      ::operator delete(p, std::align_val_t{alignof(T)});
    else
      std::free(p);
  }

  // Value-less construction default-initialises: no write for plain numbers.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static constexpr std::size_t kLarge = std::size_t{4} << 20;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;
};

template <class T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

// Asks for transparent huge pages on the whole 2 MiB pages inside [data, data + bytes) (advice only:
// nothing happens where the system does not allow them). Call it on a big buffer before it is first
// written, e.g. an Eigen matrix just resized: pages already touched stay 4 KiB. Rows visited out of
// order (tiles, blocks) in arrays of hundreds of MB otherwise cost a TLB miss each.
inline void adviseHugePages(void* data, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t lo = (begin + huge - 1) & ~(huge - 1), hi = (begin + bytes) & ~(huge - 1);
  if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
  (void)data, (void)bytes;
#endif
}

}  // namespace topomask
