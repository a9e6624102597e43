// The Nexmark event model, with the reference generator's constants (nexmark/nexmark, Java):
// the facts carry over, the code is ours.

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
/** Kinds repeat every 50 events: 1 person, 3 auctions, 46 bids. */
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;

/** Ids newer than the last generated one that a reference may point to ("lead"). */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
/** How many recent people and auctions a random (non-hot) reference draws from. */
export const NUM_ACTIVE_PEOPLE = 1000;
export const NUM_IN_FLIGHT_AUCTIONS = 100;

/** Hot keys are the latest id rounded down to a multiple of this. */
export const HOT_AUCTION_RATIO = 100;
export const HOT_BIDDER_RATIO = 100;
export const HOT_SELLER_RATIO = 100;
/** A reference is hot unless a draw in [0, ratio) is 0: hot with probability 1 - 1/ratio. */
export const HOT_AUCTION_DRAW = 2; // 1/2 of bids go to a hot auction
export const HOT_BIDDER_DRAW = 4; // 3/4 of bids come from a hot bidder
export const HOT_SELLER_DRAW = 4; // 3/4 of auctions come from a hot seller

/** Average serialized sizes the `extra` field pads each kind to (+-20%). */
export const AVG_PERSON_BYTES = 200;
export const AVG_AUCTION_BYTES = 500;
export const AVG_BID_BYTES = 100;

export const KNOWN_CHANNELS = ["Google", "Facebook", "Baidu", "Apple"] as const;
export const CHANNEL_COUNT = 10_000;

export const US_STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"] as const;
export const US_CITIES = [
    "Phoenix",
    "Los Angeles",
    "San Francisco",
    "Boise",
    "Portland",
    "Bend",
    "Redmond",
    "Seattle",
    "Kent",
    "Cheyenne",
] as const;
export const FIRST_NAMES = [
    "Peter",
    "Paul",
    "Luke",
    "John",
    "Saul",
    "Vicky",
    "Kate",
    "Julie",
    "Sarah",
    "Deiter",
    "Walter",
] as const;
export const LAST_NAMES = [
    "Shultz",
    "Abrams",
    "Spencer",
    "White",
    "Bartels",
    "Walton",
    "Smith",
    "Jones",
    "Noris",
] as const;

export type EventKind = "person" | "auction" | "bid";

export interface Person {
    id: number;
    name: string;
    email_address: string;
    credit_card: string;
    city: string;
    state: string;
    /** Event time, ms since the epoch. */
    datetime: number;
    extra: string;
}

export interface Auction {
    id: number;
    item_name: string;
    description: string;
    initial_bid: number;
    reserve: number;
    datetime: number;
    expires: number;
    seller: number;
    category: number;
    extra: string;
}

export interface Bid {
    auction: number;
    bidder: number;
    price: number;
    channel: string;
    url: string;
    datetime: number;
    extra: string;
}

export type NexmarkEvent =
    { kind: "person"; person: Person } | { kind: "auction"; auction: Auction } | { kind: "bid"; bid: Bid };

/** The kind of event number `n` (0-based): fixed by n mod 50, never by chance. */
export function kindOf(n: number): EventKind {
    const rem = n % PROPORTION_DENOMINATOR;
    if (rem < PERSON_PROPORTION) return "person";
    if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) return "auction";
    return "bid";
}

/** Base-0 id of the last person created at or before event `n`. */
export function lastBase0PersonId(n: number): number {
    const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
    let offset = n % PROPORTION_DENOMINATOR;
    if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1;
    return epoch * PERSON_PROPORTION + offset;
}

/** Base-0 id of the last auction created at or before event `n` (-1 before the first one). */
export function lastBase0AuctionId(n: number): number {
    let epoch = Math.floor(n / PROPORTION_DENOMINATOR);
    let offset = n % PROPORTION_DENOMINATOR;
    if (offset < PERSON_PROPORTION) {
        epoch--;
        offset = AUCTION_PROPORTION - 1;
    } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
        offset = AUCTION_PROPORTION - 1;
    } else {
        offset -= PERSON_PROPORTION;
    }
    return epoch * AUCTION_PROPORTION + offset;
}

/** Per-kind sequence number of event `n`: its index among events of the same kind. */
export function kindIndex(n: number): number {
    const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
    const rem = n % PROPORTION_DENOMINATOR;
    switch (kindOf(n)) {
        case "person":
            return epoch * PERSON_PROPORTION + rem;
        case "auction":
            return epoch * AUCTION_PROPORTION + (rem - PERSON_PROPORTION);
        case "bid":
            return epoch * BID_PROPORTION + (rem - PERSON_PROPORTION - AUCTION_PROPORTION);
    }
}

/** How many events of each kind the first `count` events (from event 0) contain. */
export function kindCounts(first: number, count: number): Record<EventKind, number> {
    const upTo = (end: number): Record<EventKind, number> => {
        const full = Math.floor(end / PROPORTION_DENOMINATOR);
        const rem = end % PROPORTION_DENOMINATOR;
        return {
            person: full * PERSON_PROPORTION + Math.min(rem, PERSON_PROPORTION),
            auction: full * AUCTION_PROPORTION + Math.max(0, Math.min(rem - PERSON_PROPORTION, AUCTION_PROPORTION)),
            bid: full * BID_PROPORTION + Math.max(0, rem - PERSON_PROPORTION - AUCTION_PROPORTION),
        };
    };
    const a = upTo(first);
    const b = upTo(first + count);
    return { person: b.person - a.person, auction: b.auction - a.auction, bid: b.bid - a.bid };
}
