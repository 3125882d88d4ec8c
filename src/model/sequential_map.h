// SequentialMap: a map from string keys to values that is cheapest to read
// in the order its keys were added.
//
// A drive reads its entries back in the order it seated them (the queue's
// queries list entries by pull time), and looks each one up by internal id
// in a few in-memory maps per step. A hashed lookup of a 36-character id
// costs a hash and a probe into memory touched long ago; here find() first
// compares the key with the one added after the key it found last, which
// in that order is right nearly every time and costs one string compare.
// Any other order falls back to one hashed lookup.
//
// Not thread-safe. Values live in a deque: their addresses stay valid until
// they are erased or the map is cleared.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace databus {

template <class V>
class SequentialMap {
 public:
  // The value of `key`, or nullptr.
  V* find(std::string_view key) {
    if (V* next = at_hint(key)) return next;
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    hint_ = it->second + 1;
    return &slots_[it->second].value;
  }

  // Sets the value of `key`, adding the key after every other when new.
  V& insert_or_assign(std::string_view key, V value) {
    if (V* next = at_hint(key)) return *next = std::move(value);
    // One hashed probe either way: the new slot's key, which the index
    // views (a deque's element never moves), is offered to the index.
    Slot& added = slots_.emplace_back(Slot{std::string(key), V(), true});
    auto [it, inserted] = index_.try_emplace(std::string_view(added.key), slots_.size() - 1);
    if (!inserted) {
      slots_.pop_back();
      hint_ = it->second + 1;
      return slots_[it->second].value = std::move(value);
    }
    ++live_;
    hint_ = slots_.size();
    return added.value = std::move(value);
  }

  // Removes `key`; false when it was not there. Its slot stays, empty,
  // until clear(): erasing is rare (a queue forgets an entry it cannot
  // keep), and the slots keep the order of the others.
  bool erase(std::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    Slot& slot = slots_[it->second];
    index_.erase(it);
    slot.live = false;
    slot.value = V();
    --live_;
    return true;
  }

  void clear() {
    index_.clear();
    slots_.clear();
    hint_ = 0;
    live_ = 0;
  }

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

 private:
  struct Slot {
    std::string key;
    V value;
    bool live;
  };

  // The value of `key` when it is the slot after the one found last (and
  // the hint then moves past it), else nullptr.
  V* at_hint(std::string_view key) {
    if (hint_ >= slots_.size()) return nullptr;
    Slot& slot = slots_[hint_];
    if (!slot.live || slot.key != key) return nullptr;
    ++hint_;
    return &slot.value;
  }
  std::deque<Slot> slots_;
  std::unordered_map<std::string_view, std::size_t> index_;  // Key -> position in slots_.
  std::size_t hint_ = 0;                                     // The slot after the one found last.
  std::size_t live_ = 0;
};

}  // namespace databus
