// HashedRows: a hash multiset of row numbers, for an index whose rows live
// elsewhere (EntryIndex's rows, by internal id and by dedup key). The table
// holds only each row's number and 32 bits of its key's hash, 8 bytes a slot
// in one flat array (open addressing, linear probing): no node, no copy of a
// key. A lookup visits the rows stored under a hash, and the caller compares
// their keys itself; rows with equal keys, or keys with equal hashes, may be
// stored side by side (docs/architecture.md "Streaming drives": the index
// an engine keeps per entry).
//
// At most 70 % of the slots are used; the table doubles past that and never
// shrinks below what it has held (clear() frees it).
//
// Thread-safety: none; the owner guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace databus {

class HashedRows {
 public:
  // Stores `row` under `hash`. REQUIRES: (hash, row) is not stored.
  void insert(std::uint32_t hash, std::uint32_t row);
  // Removes `row` stored under `hash`; false when it is not stored.
  bool erase(std::uint32_t hash, std::uint32_t row);
  // Calls visit(row) for each row stored under `hash`, until visit returns
  // true; returns whether one did. The caller compares the rows' keys:
  // different keys may share a hash.
  template <typename Visit>
  bool find(std::uint32_t hash, Visit visit) const {
    if (slots_.empty()) return false;
    for (std::size_t i = hash & mask_; slots_[i] != kEmpty; i = (i + 1) & mask_) {
      if (hash_of(slots_[i]) == hash && visit(row_of(slots_[i]))) return true;
    }
    return false;
  }

  std::size_t size() const { return size_; }
  // Bytes allocated (the slots).
  std::size_t allocated_bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }
  void clear();

 private:
  // A slot: the hash in the high half, the row in the low half; all ones
  // is empty (row 2^32 - 1 is never stored).
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static std::uint32_t hash_of(std::uint64_t slot) {
    return static_cast<std::uint32_t>(slot >> 32);
  }
  static std::uint32_t row_of(std::uint64_t slot) { return static_cast<std::uint32_t>(slot); }
  void grow();
  void place(std::uint64_t slot);

  std::vector<std::uint64_t> slots_;  // A power of two of them, or none.
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace databus
