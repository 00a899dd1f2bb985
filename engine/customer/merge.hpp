#pragma once
// Merging two customers that one event's identifiers join (language.md
// "Merges"). Pure functions over model/, thread-safe (one thread per record).

#include "model/customer_record.hpp"

namespace patron::customer {

// Merges (language.md "Merges"): true when `a` survives a merge with `b`: the
// customer who joined first (earlier joined_at; an unknown joined_at counts as
// latest), ties going to the smaller id.
bool SurvivorIsFirst(const CustomerRecord& a, const CustomerRecord& b);

// Folds `other` into `survivor`. The survivor keeps its id and its phone (else
// takes other's); orders, spent and points are added; tags united (survivor's
// first, in order); first_order_at and joined_at the earliest, last_order_at
// and last_seen_at the latest; registered if either was; name, gender,
// birthday, owner: the survivor's unless empty/missing; attrs: the survivor's
// keys, plus other's keys the survivor lacks; tier: the survivor's unless
// "regular"; store_orders merged per store and the home store recomputed (kept
// when neither has store orders); opt-out bits ORed; identities united (the
// survivor's first); coupons united (same code,
// rule and time counted once, redeemed if either was) in issue order; rule
// states merged by rule_key (seen_first OR, count and sum added, min/max
// combined, firings merged sorted; the engine trims firings to its limits).
void MergeInto(CustomerRecord& survivor, CustomerRecord&& other);

}  // namespace patron::customer
