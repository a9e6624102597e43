import { channelUrls, javaAbsReverse, NexmarkGenerator } from "../../benchmark/nexmark/generator";
import {
    FIRST_AUCTION_ID,
    FIRST_PERSON_ID,
    kindCounts,
    kindIndex,
    kindOf,
    lastBase0AuctionId,
    lastBase0PersonId,
    PERSON_ID_LEAD,
} from "../../benchmark/nexmark/model";

const BASE = Date.UTC(2026, 10, 24);
const gen = (seed = 42, eventsPerSecond = 10_000) => new NexmarkGenerator({ seed, baseTimeMs: BASE, eventsPerSecond });

describe("event kinds", () => {
    it("every aligned block of 50 events holds exactly 1 person, 3 auctions and 46 bids, in that order", () => {
        for (const start of [0, 50, 5_000, 123_450]) {
            const kinds = Array.from({ length: 50 }, (_, i) => kindOf(start + i));
            expect(kinds.slice(0, 1)).toEqual(["person"]);
            expect(kinds.slice(1, 4)).toEqual(["auction", "auction", "auction"]);
            expect(kinds.slice(4).every((k) => k === "bid")).toBe(true);
        }
    });

    it("kindCounts agrees with counting one by one, for unaligned ranges too", () => {
        for (const [first, count] of [
            [0, 1],
            [0, 50],
            [3, 97],
            [49, 2],
            [1234, 4321],
            [100_000, 0],
        ]) {
            const brute = { person: 0, auction: 0, bid: 0 };
            for (let n = first; n < first + count; n++) brute[kindOf(n)]++;
            expect(kindCounts(first, count)).toEqual(brute);
        }
    });

    it("per-kind indices count up without gaps", () => {
        const seen = { person: [] as number[], auction: [] as number[], bid: [] as number[] };
        for (let n = 0; n < 500; n++) seen[kindOf(n)].push(kindIndex(n));
        for (const list of Object.values(seen)) expect(list).toEqual(list.map((_, i) => i));
    });
});

describe("ids", () => {
    it("person id = n/50 + 1000 and auction id = 3*(n/50) + offset + 1000", () => {
        const g = gen();
        for (const n of [0, 50, 100, 5_000, 77_750]) expect(g.person(n).id).toBe(Math.floor(n / 50) + FIRST_PERSON_ID);
        for (const epoch of [0, 1, 7, 1_555]) {
            for (const offset of [0, 1, 2])
                expect(g.auction(epoch * 50 + 1 + offset).id).toBe(3 * epoch + offset + FIRST_AUCTION_ID);
        }
        expect(lastBase0AuctionId(0)).toBe(-1);
        expect(lastBase0AuctionId(4)).toBe(2);
        expect(lastBase0PersonId(49)).toBe(0);
    });

    it("bids reference people and auctions that exist or are at most the lead ahead (bidder offset added once)", () => {
        const g = gen();
        for (let n = 4; n < 200_000; n += 7) {
            if (kindOf(n) !== "bid") continue;
            const b = g.bid(n);
            expect(b.bidder).toBeGreaterThanOrEqual(FIRST_PERSON_ID);
            expect(b.bidder).toBeLessThanOrEqual(lastBase0PersonId(n) + FIRST_PERSON_ID + PERSON_ID_LEAD);
            expect(b.auction).toBeGreaterThanOrEqual(FIRST_AUCTION_ID);
        }
    });
});

describe("hot keys over 1M events", () => {
    const g = gen(7);
    let bids = 0;
    let hotAuction = 0;
    let hotBidder = 0;
    let auctions = 0;
    let hotSeller = 0;
    let belowTenThousand = 0;
    let minPrice = Infinity;
    let maxPrice = -Infinity;
    const categories = new Set<number>();

    beforeAll(() => {
        // Skip the first 100k events, while fewer than 1000 people exist and the random ranges are small.
        for (let n = 100_000; n < 1_100_000; n++) {
            const kind = kindOf(n);
            if (kind === "bid") {
                const b = g.bid(n);
                bids++;
                if (b.auction === Math.floor(lastBase0AuctionId(n) / 100) * 100 + FIRST_AUCTION_ID) hotAuction++;
                if (b.bidder === Math.floor(lastBase0PersonId(n) / 100) * 100 + 1 + FIRST_PERSON_ID) hotBidder++;
                if (b.price < 10_000) belowTenThousand++;
                minPrice = Math.min(minPrice, b.price);
                maxPrice = Math.max(maxPrice, b.price);
            } else if (kind === "auction") {
                const a = g.auction(n);
                auctions++;
                categories.add(a.category);
                if (a.seller === Math.floor(lastBase0PersonId(n) / 100) * 100 + FIRST_PERSON_ID) hotSeller++;
            }
        }
    });

    // Expected: the hot share, plus the chance that a uniform draw over the recent range hits it.
    it("half of the bids go to the hot auction", () =>
        expect(Math.abs(hotAuction / bids - (0.5 + 0.5 / 111))).toBeLessThan(0.003));
    it("three quarters of the bids come from the hot bidder", () =>
        expect(Math.abs(hotBidder / bids - (0.75 + 0.25 / 1010))).toBeLessThan(0.003));
    it("three quarters of the auctions come from the hot seller", () =>
        expect(Math.abs(hotSeller / auctions - (0.75 + 0.25 / 1010))).toBeLessThan(0.012));
    it("prices lie in [100, 10^8], log-uniform (a third below 10^4)", () => {
        expect(minPrice).toBeGreaterThanOrEqual(100);
        expect(maxPrice).toBeLessThanOrEqual(100_000_000);
        expect(Math.abs(belowTenThousand / bids - 1 / 3)).toBeLessThan(0.005);
    });
    it("categories are 10..14", () => expect([...categories].sort()).toEqual([10, 11, 12, 13, 14]));
});

describe("records", () => {
    it("the same seed gives the same bytes, another seed other bytes", () => {
        const a = Array.from({ length: 2_000 }, (_, n) => gen(1).record(n).json).join("\n");
        const b = Array.from({ length: 2_000 }, (_, n) => gen(1).record(n).json).join("\n");
        const c = Array.from({ length: 2_000 }, (_, n) => gen(2).record(n).json).join("\n");
        expect(a).toBe(b);
        expect(c).not.toBe(a);
    });

    it("events are valid JSON whose fields match the typed event", () => {
        const g = gen();
        for (let n = 0; n < 200; n++) {
            const rec = g.record(n);
            const parsed = JSON.parse(rec.json);
            const typed = rec.kind === "person" ? g.person(n) : rec.kind === "auction" ? g.auction(n) : g.bid(n);
            expect(parsed).toEqual({
                ...typed,
                datetime: new Date(typed.datetime).toISOString(),
                ...("expires" in typed ? { expires: new Date(typed.expires).toISOString() } : {}),
            });
        }
    });

    it("event time advances at the configured rate", () => {
        const g = gen(1, 50_000);
        expect(g.timestampOf(0)).toBe(BASE);
        expect(g.timestampOf(50_000)).toBe(BASE + 1_000);
        expect(JSON.parse(g.record(100_000).json).datetime).toBe(new Date(BASE + 2_000).toISOString());
    });

    it("sizes extra as the reference does: each kind averages its size over its fields' own sizes (within 2%)", () => {
        const g = gen(7);
        // The reference's own count (PersonGenerator, AuctionGenerator, BidGenerator): numeric fields 8 bytes each.
        const counted = {
            person: (p: Record<string, string>) =>
                8 +
                p.name.length +
                p.email_address.length +
                p.credit_card.length +
                p.city.length +
                p.state.length +
                p.extra.length,
            auction: (a: Record<string, string>) => 8 + a.item_name.length + a.description.length + 40 + a.extra.length,
            bid: (b: Record<string, string>) => 32 + b.extra.length,
        };
        const sizes = {
            person: [] as number[],
            auction: [] as number[],
            bid: [] as number[],
            bidExtra: [] as number[],
            json: { person: [] as number[], auction: [] as number[], bid: [] as number[] },
        };
        for (let n = 0; n < 100_000; n++) {
            const rec = g.record(n);
            const e = JSON.parse(rec.json) as Record<string, string>;
            sizes[rec.kind].push(counted[rec.kind](e));
            sizes.json[rec.kind].push(Buffer.byteLength(rec.json));
            if (rec.kind === "bid") sizes.bidExtra.push(e.extra.length);
        }
        const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
        expect(mean(sizes.person) / 200).toBeCloseTo(1, 1);
        expect(Math.abs(mean(sizes.person) / 200 - 1)).toBeLessThan(0.02);
        expect(Math.abs(mean(sizes.auction) / 500 - 1)).toBeLessThan(0.02);
        expect(Math.abs(mean(sizes.bid) / 100 - 1)).toBeLessThan(0.02);
        // A reference bid carries ~68 characters of extra (100 - 32, +-20%).
        expect(Math.abs(mean(sizes.bidExtra) / 68 - 1)).toBeLessThan(0.02);
        expect(Math.min(...sizes.bidExtra)).toBeGreaterThanOrEqual(68 - 14);
        expect(Math.max(...sizes.bidExtra)).toBeLessThan(68 + 14);
        // What goes to Kafka, pinned for this seed: JSON adds keys, quotes and numbers as text.
        expect(Math.round(mean(sizes.json.bid))).toBeGreaterThan(200);
    });
});

describe("bid channels and urls, as the reference makes them", () => {
    const g = new NexmarkGenerator({ seed: 42, baseTimeMs: 0, eventsPerSecond: 1_000 });
    const bids: { channel: string; url: string }[] = [];
    for (let n = 0; bids.length < 100_000; n++) if (kindOf(n) === "bid") bids.push(g.bid(n));
    // nexmark/nexmark BidGenerator.getBaseUrl: three segments of StringsGenerator.nextString(random, 5, '_').
    const URL =
        /^https:\/\/www\.nexmark\.com\/([a-z_]{3,4})\/([a-z_]{3,4})\/([a-z_]{3,4})\/item\.htm\?query=1(&channel_id=-?\d+)?$/;

    it("gives the four hot channels one fixed url each, with three directory segments", () => {
        const hot = bids.filter((b) => !b.channel.startsWith("channel-"));
        expect(new Set(hot.map((b) => b.channel))).toEqual(new Set(["Google", "Facebook", "Baidu", "Apple"]));
        const urlOf = new Map<string, Set<string>>();
        for (const b of hot) urlOf.set(b.channel, (urlOf.get(b.channel) ?? new Set()).add(b.url));
        for (const urls of urlOf.values()) expect(urls.size).toBe(1);
        for (const [u] of [...urlOf.values()].map((s) => [...s])) {
            expect(u).toMatch(URL);
            expect(u).not.toMatch(/channel_id/);
        }
        expect(new Set([...urlOf.values()].map((s) => [...s][0])).size).toBe(4);
    });

    it("sends half the bids to the hot channels (within 1%)", () => {
        const share = bids.filter((b) => !b.channel.startsWith("channel-")).length / bids.length;
        expect(Math.abs(share - 0.5)).toBeLessThan(0.01);
    });

    it("keeps one url per channel for the run, 1 in 10 channels without a channel_id (within 2%)", () => {
        const urlOf = new Map<string, Set<string>>();
        for (const b of bids.filter((x) => x.channel.startsWith("channel-")))
            urlOf.set(b.channel, (urlOf.get(b.channel) ?? new Set()).add(b.url));
        expect(urlOf.size).toBeGreaterThan(9_000);
        for (const urls of urlOf.values()) expect(urls.size).toBe(1);
        const urls = [...urlOf.values()].map((s) => [...s][0]);
        for (const u of urls) expect(u).toMatch(URL);
        const withoutId = urls.filter((u) => !u.includes("channel_id")).length / urls.length;
        expect(Math.abs(withoutId - 0.1)).toBeLessThan(0.02);
        // channel_id is the channel number bit-reversed as a Java int, then abs().
        const withId = channelUrls(42).channels.filter((u) => u.includes("channel_id="));
        expect(withId.length).toBeGreaterThan(0);
        expect(withId.every((u) => /channel_id=-?\d+$/.test(u))).toBe(true);
        expect(javaAbsReverse(2)).toBe(1_073_741_824);
        expect(javaAbsReverse(1)).toBe(-2_147_483_648);
    });

    it("draws the same urls from the same seed, and others from another", () => {
        expect(channelUrls(42)).toEqual(channelUrls(42));
        const again = new NexmarkGenerator({ seed: 42, baseTimeMs: 0, eventsPerSecond: 1_000 });
        for (let n = 4; n < 2_000; n += 50) expect(again.bid(n).url).toBe(g.bid(n).url);
        expect(channelUrls(43).hot).not.toEqual(channelUrls(42).hot);
    });
});
