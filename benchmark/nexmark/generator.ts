import {
    Auction,
    AUCTION_ID_LEAD,
    AUCTION_PROPORTION,
    AVG_AUCTION_BYTES,
    AVG_BID_BYTES,
    AVG_PERSON_BYTES,
    Bid,
    CHANNEL_COUNT,
    FIRST_AUCTION_ID,
    FIRST_CATEGORY_ID,
    FIRST_NAMES,
    FIRST_PERSON_ID,
    HOT_AUCTION_DRAW,
    HOT_AUCTION_RATIO,
    HOT_BIDDER_DRAW,
    HOT_BIDDER_RATIO,
    HOT_SELLER_DRAW,
    HOT_SELLER_RATIO,
    KNOWN_CHANNELS,
    kindOf,
    LAST_NAMES,
    lastBase0AuctionId,
    lastBase0PersonId,
    NUM_ACTIVE_PEOPLE,
    NUM_CATEGORIES,
    NUM_IN_FLIGHT_AUCTIONS,
    Person,
    PERSON_ID_LEAD,
    PROPORTION_DENOMINATOR,
    US_CITIES,
    US_STATES,
} from "./model";
import { EventRandom } from "./random";
import { auctionJson, bidJson, personJson } from "./serialize";

/** One event as it goes to Kafka: its kind, its per-kind sequence number and its JSON. */
export interface EventRecord {
    kind: "person" | "auction" | "bid";
    json: string;
}

export interface GeneratorConfig {
    /** Seeds every event's random stream: the same seed gives the same events, byte for byte. */
    seed: number;
    /** Event time of event 0, ms since the epoch. */
    baseTimeMs: number;
    /** Target rate, which spaces event times: event n happens at base + n / rate. */
    eventsPerSecond: number;
}

/** A deterministic pool of lowercase text that random strings are cut from (cheap, and seeded). */
const POOL_SIZE = 1 << 16;
const TEXT_POOL: string = (() => {
    const r = new EventRandom().reset(0x5eed, 0);
    let s = "";
    for (let i = 0; i < POOL_SIZE + 1024; i++) s += String.fromCharCode(97 + r.nextInt(26));
    return s;
})();

/**
 * The reference's channel urls (nexmark/nexmark BidGenerator.getBaseUrl, createChannelUrlCache):
 * `https://www.nexmark.com/<s>/<s>/<s>/item.htm?query=1`, each <s> from StringsGenerator.nextString(
 * random, 5, '_'): 3 or 4 characters, each '_' one time in 13, else a-z. One url per hot channel and
 * one per non-hot channel, drawn once for the run; 9 of 10 non-hot urls get `&channel_id=` the
 * channel number bit-reversed as a Java int, abs() (which leaves Integer.MIN_VALUE negative).
 * Drawn here from our own seeded stream, so a seed always gives the same urls.
 */
export interface ChannelUrls {
    hot: string[];
    channels: string[];
}

function urlSegment(r: EventRandom): string {
    let len = 3 + r.nextInt(2);
    let s = "";
    while (len-- > 0) s += r.nextInt(13) === 0 ? "_" : String.fromCharCode(97 + r.nextInt(26));
    return s;
}

const baseUrl = (r: EventRandom) =>
    `https://www.nexmark.com/${urlSegment(r)}/${urlSegment(r)}/${urlSegment(r)}/item.htm?query=1`;

/** Integer.reverse(i) then Math.abs, with Java's 32-bit int arithmetic. */
export function javaAbsReverse(i: number): number {
    let x = i >>> 0;
    let rev = 0;
    for (let b = 0; b < 32; b++) {
        rev = ((rev << 1) | (x & 1)) >>> 0;
        x >>>= 1;
    }
    const asInt = rev | 0;
    return asInt === -2147483648 ? asInt : Math.abs(asInt);
}

const urlCache = new Map<number, ChannelUrls>();

/** The run's channel urls for `seed`, built once per seed. */
export function channelUrls(seed: number): ChannelUrls {
    const cached = urlCache.get(seed);
    if (cached) return cached;
    // Streams of their own, apart from the events' (whose numbers are >= 0).
    const r = new EventRandom();
    const hot = KNOWN_CHANNELS.map((_, i) => baseUrl(r.reset(seed ^ 0x6e78, -1 - i)));
    const channels = Array.from({ length: CHANNEL_COUNT }, (_, i) => {
        r.reset(seed ^ 0x6e78, -100 - i);
        const url = baseUrl(r);
        return r.nextInt(10) > 0 ? `${url}&channel_id=${javaAbsReverse(i)}` : url;
    });
    const urls = { hot, channels };
    urlCache.set(seed, urls);
    return urls;
}

/**
 * Generates Nexmark events by number, following the reference model: kinds fixed by n mod 50,
 * ids from the event number, hot auctions / bidders / sellers at the reference rates, prices
 * log-uniform over [100, 10^8], event time advancing at the configured rate.
 *
 * On the reference's doubled bidder offset: the Java bid generator adds FIRST_PERSON_ID to the
 * bidder twice, so its bidders are 1000 ids ahead of the people that exist and person-bid joins
 * miss. We add it once: every bidder is a person id that exists (or is within the usual lead).
 */
export class NexmarkGenerator {
    private readonly r = new EventRandom();
    private readonly interEventMs: number;
    private readonly urls: ChannelUrls;

    constructor(readonly config: GeneratorConfig) {
        if (!(config.eventsPerSecond > 0)) throw new Error("eventsPerSecond must be positive");
        this.interEventMs = 1000 / config.eventsPerSecond;
        this.urls = channelUrls(config.seed);
    }

    /** Event time of event `n`, ms since the epoch. */
    timestampOf(n: number): number {
        return Math.floor(this.config.baseTimeMs + n * this.interEventMs);
    }

    person(n: number): Person {
        const r = this.r.reset(this.config.seed, n);
        const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
        const datetime = this.timestampOf(n);
        const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
        const email_address = `${this.text(7)}@${this.text(5)}.com`;
        const credit_card = `${digits4(r)} ${digits4(r)} ${digits4(r)} ${digits4(r)}`;
        const city = US_CITIES[r.nextInt(US_CITIES.length)];
        const state = US_STATES[r.nextInt(US_STATES.length)];
        // The reference counts a person as 8 bytes of id plus its strings (PersonGenerator.nextPerson).
        const size = 8 + name.length + email_address.length + credit_card.length + city.length + state.length;
        return this.padded(
            { id, name, email_address, credit_card, city, state, datetime, extra: "" },
            personJson,
            size,
            AVG_PERSON_BYTES,
        );
    }

    auction(n: number): Auction {
        const r = this.r.reset(this.config.seed, n);
        const id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
        const datetime = this.timestampOf(n);
        const seller =
            (r.nextInt(HOT_SELLER_DRAW) > 0
                ? Math.floor(lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
                : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
        const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
        const initial_bid = this.nextPrice();
        const reserve = initial_bid + this.nextPrice();
        const expires = datetime + this.nextAuctionLengthMs(n);
        const item_name = this.text(20);
        const description = this.text(100);
        // AuctionGenerator.nextAuction: 8 + name + description + five 8-byte fields.
        const size = 8 + item_name.length + description.length + 8 * 5;
        return this.padded(
            { id, item_name, description, initial_bid, reserve, datetime, expires, seller, category, extra: "" },
            auctionJson,
            size,
            AVG_AUCTION_BYTES,
        );
    }

    bid(n: number): Bid {
        const r = this.r.reset(this.config.seed, n);
        const auction =
            (r.nextInt(HOT_AUCTION_DRAW) > 0
                ? Math.floor(lastBase0AuctionId(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
                : this.nextBase0AuctionId(n)) + FIRST_AUCTION_ID;
        const bidder =
            (r.nextInt(HOT_BIDDER_DRAW) > 0
                ? Math.floor(lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
                : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
        const price = this.nextPrice();
        let channel: string;
        let url: string;
        if (r.nextInt(2) > 0) {
            const i = r.nextInt(KNOWN_CHANNELS.length);
            channel = KNOWN_CHANNELS[i];
            url = this.urls.hot[i];
        } else {
            const i = r.nextInt(CHANNEL_COUNT);
            channel = `channel-${i}`;
            url = this.urls.channels[i];
        }
        const datetime = this.timestampOf(n);
        // BidGenerator.nextBid counts four 8-byte fields (auction, bidder, price, time) and not the channel or url.
        return this.padded(
            { auction, bidder, price, channel, url, datetime, extra: "" },
            bidJson,
            8 * 4,
            AVG_BID_BYTES,
        );
    }

    /** Event `n` serialized, without serializing it twice. */
    record(n: number): EventRecord {
        switch (kindOf(n)) {
            case "person":
                return { kind: "person", json: this.lastJson(this.person(n)) };
            case "auction":
                return { kind: "auction", json: this.lastJson(this.auction(n)) };
            case "bid":
                return { kind: "bid", json: this.lastJson(this.bid(n)) };
        }
    }

    private last: { event: object; json: string } | undefined;

    private lastJson(event: object): string {
        if (this.last?.event !== event) throw new Error("internal: padded() must precede lastJson()");
        return this.last.json;
    }

    /**
     * Sets `extra` as the reference's nextExtra does: the kind's average size minus the event's
     * size as the reference counts it (`referenceSize`, its fields' own sizes, not the JSON), +-20%.
     * Events are then as large as the reference's, so events/s compare with published figures.
     */
    private padded<T extends { extra: string }>(
        event: T,
        toJson: (e: T) => string,
        referenceSize: number,
        averageSize: number,
    ): T {
        const bare = toJson(event);
        event.extra = this.extra(referenceSize, averageSize);
        const json = event.extra ? `${bare.slice(0, -2)}${event.extra}"}` : bare;
        this.last = { event, json };
        return event;
    }

    /** A random person among the recently active ones, possibly slightly ahead of the newest. */
    private nextBase0PersonId(n: number): number {
        const numPeople = lastBase0PersonId(n) + 1;
        const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
        return numPeople - active + this.r.nextInt(active + PERSON_ID_LEAD);
    }

    /** A random auction among those in flight, possibly slightly ahead of the newest. */
    private nextBase0AuctionId(n: number): number {
        const max = Math.max(lastBase0AuctionId(n), 0);
        const min = Math.max(max - NUM_IN_FLIGHT_AUCTIONS, 0);
        return min + this.r.nextInt(max - min + 1 + AUCTION_ID_LEAD);
    }

    /** Log-uniform over [100, 10^8]. */
    private nextPrice(): number {
        return Math.round(Math.pow(10, this.r.nextDouble() * 6) * 100);
    }

    /** An auction lasts about as long as it takes for the next NUM_IN_FLIGHT_AUCTIONS to be created. */
    private nextAuctionLengthMs(n: number): number {
        const eventsAhead = Math.ceil((NUM_IN_FLIGHT_AUCTIONS * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);
        const horizon = Math.max(1, this.timestampOf(n + eventsAhead) - this.timestampOf(n));
        return 1 + this.r.nextInt(horizon * 2);
    }

    private text(length: number): string {
        const at = this.r.nextInt(POOL_SIZE);
        return TEXT_POOL.substring(at, at + length);
    }

    /** Pads to the kind's average size, +-20% of the missing bytes, like the reference's nextExtra. */
    private extra(currentSize: number, averageSize: number): string {
        if (currentSize >= averageSize) return "";
        const missing = averageSize - currentSize;
        const delta = Math.round(missing * 0.2);
        const length = missing - delta + (delta > 0 ? this.r.nextInt(2 * delta) : 0);
        let s = "";
        while (s.length < length) s += this.text(Math.min(1024, length - s.length));
        return s;
    }
}

function digits4(r: EventRandom): string {
    return String(r.nextInt(10000)).padStart(4, "0");
}

export { kindOf };
