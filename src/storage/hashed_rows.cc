#include "storage/hashed_rows.h"

namespace databus {

void HashedRows::insert(std::uint32_t hash, std::uint32_t row) {
  if (10 * (size_ + 1) > 7 * slots_.size()) grow();
  place((std::uint64_t{hash} << 32) | row);
  ++size_;
}

void HashedRows::place(std::uint64_t slot) {
  std::size_t i = hash_of(slot) & mask_;
  while (slots_[i] != kEmpty) i = (i + 1) & mask_;
  slots_[i] = slot;
}

void HashedRows::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  const std::size_t capacity = old.empty() ? 16 : 2 * old.size();
  slots_.assign(capacity, kEmpty);
  mask_ = capacity - 1;
  for (std::uint64_t slot : old) {
    if (slot != kEmpty) place(slot);
  }
}

bool HashedRows::erase(std::uint32_t hash, std::uint32_t row) {
  if (slots_.empty()) return false;
  const std::uint64_t wanted = (std::uint64_t{hash} << 32) | row;
  std::size_t i = hash & mask_;
  while (slots_[i] != wanted) {
    if (slots_[i] == kEmpty) return false;
    i = (i + 1) & mask_;
  }
  // Backward-shift deletion: each later slot of the run whose home is not
  // between the hole and itself moves into the hole, so that every lookup
  // still finds its run unbroken, with no tombstones to clean up later.
  for (std::size_t j = (i + 1) & mask_; slots_[j] != kEmpty; j = (j + 1) & mask_) {
    const std::size_t home = hash_of(slots_[j]) & mask_;
    const bool home_in_hole_to_j = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (!home_in_hole_to_j) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = kEmpty;
  --size_;
  return true;
}

void HashedRows::clear() {
  slots_.clear();
  slots_.shrink_to_fit();
  mask_ = 0;
  size_ = 0;
}

}  // namespace databus
