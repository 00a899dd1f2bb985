#pragma once
// Identity resolution (events.md "Events in", language.md "Merges"): finds
// the customer an event's identifiers name, creates one with the derived id
// (TEAM decision 1) when none is known, and merges customers when the
// identifiers point to several. Runs on the engine's thread; every change
// goes into the store's open batch.

#include <string>

#include "base/result.hpp"
#include "model/event.hpp"
#include "engine/state_store.hpp"

namespace patron {

// Decision 1: data.customer.id verbatim, else "c-" + Hex64(StableHash({"<kind>:<value>"}))
// of the first identifier present in IdentityKind order; "" when there is none.
std::string DeriveCustomerId(const Event& event);

struct Resolution {
  CustomerRecord* customer = nullptr;  // nullptr: the event names nobody
  bool created = false;                // a new customer was created
  int merged = 0;                      // customers merged into `customer`
};

// Resolves `event`'s customer in `store`: each identifier is looked up in
// the identity index (an `id` also as a customer id); with none known the
// customer is created; with several customers the one SurvivorIsFirst picks
// absorbs the others (MergeInto), every identity of a merged customer (and
// its id) is re-pointed to the survivor and the merged record erased. Every
// identifier of the event not yet indexed to the survivor is put. A failed
// Status only when the store fails.
Result<Resolution> ResolveCustomer(StateStore& store, const Event& event);

}  // namespace patron
