// What the double writes for a closed window: the shipped Arroyo query files evaluated over that
// window's rows. Each expectation is worked out by hand from the query's SQL, not from the double.
import { renderQuery, selectQueries } from "../../benchmark/queries";
import {
    declaredColumns,
    perWindowSelect,
    sessionKeyColumns,
    WindowQuery,
    WindowRow,
} from "../doubles/arroyo-stand-in/windowQuery";

const TOPICS = { person: "p", auction: "a", bid: "b" };
const sqlOf = (id: string, source: "kafka" | "nexmark" = "kafka") =>
    renderQuery(selectQueries([id], "arroyo")[0], {
        bootstrapServers: "127.0.0.1:9",
        resultsTopic: "results",
        resultsFilesUrl: "file:///tmp/none",
        updatingTtlSeconds: 600,
        source:
            source === "kafka"
                ? { kind: "kafka", topics: TOPICS, groups: TOPICS }
                : { kind: "nexmark", eventRate: 1_000 },
    });
const at = (table: string, fields: Record<string, unknown>): WindowRow => ({
    table,
    value: Buffer.from(JSON.stringify({ datetime: "2026-12-07T00:00:01.000Z", extra: "", ...fields })),
});
const bidRow = (auction: number, bidder: number, price: number) =>
    at("bid", { auction, bidder, price, channel: "apple", url: "https://x" });
const written = (out: Buffer[]) => out.map((b) => JSON.parse(b.toString()) as Record<string, unknown>);

describe("the double's per-window result of the shipped Arroyo queries", () => {
    let queries: WindowQuery[] = [];
    const create = async (id: string, tables: string[]) => {
        const q = await WindowQuery.create(sqlOf(id), tables, "results");
        queries.push(q);
        return q;
    };
    afterEach(() => {
        queries.forEach((q) => q.close());
        queries = [];
    });

    it("q5 writes each auction whose bid count is the window's highest, ties included", async () => {
        const q = await create("q5", ["bid"]);
        const rows = [
            bidRow(1, 10, 5),
            bidRow(1, 11, 6),
            bidRow(2, 10, 7),
            bidRow(3, 12, 8),
            bidRow(2, 13, 9),
            bidRow(1, 14, 1),
            bidRow(2, 15, 2),
        ];
        expect(written(q.evaluate(1, rows)).sort((a, b) => Number(a.auction) - Number(b.auction))).toEqual([
            { auction: 1, num: 3 },
            { auction: 2, num: 3 },
        ]);
        expect(q.evaluate(2, [])).toEqual([]);
    });

    it("q8 writes each person who opened an auction in the window, once however many auctions", async () => {
        const q = await create("q8", ["person", "auction"]);
        const person = (id: number, name: string) =>
            at("person", { id, name, email_address: "e", city: "c", state: "s" });
        const auction = (id: number, seller: number) => at("auction", { id, seller, item_name: "i", category: 1 });
        const out = written(
            q.evaluate(1, [
                person(10, "alice"),
                person(11, "bob"),
                auction(100, 10),
                auction(101, 10),
                auction(102, 12),
            ]),
        );
        expect(out).toEqual([{ id: 10, name: "alice" }]);
    });

    it("q7 writes every bid at the window's highest price", async () => {
        const q = await create("q7", ["bid"]);
        const out = written(q.evaluate(1, [bidRow(1, 10, 5), bidRow(2, 11, 9), bidRow(3, 12, 9)]));
        expect(out.map((r) => [r.auction, r.bidder, r.price]).sort()).toEqual([
            [2, 11, 9],
            [3, 12, 9],
        ]);
    });

    it("q11 counts one bidder's session, keyed by the GROUP BY beside the session call", async () => {
        const q = await create("q11", ["bid"]);
        expect(q.sessionKey).toEqual(["bidder"]);
        expect(written(q.evaluate(1, [bidRow(1, 7, 1), bidRow(2, 7, 2), bidRow(3, 7, 3)]))).toEqual([
            { bidder: 7, bid_count: 3 },
        ]);
    });
});

describe("the double's reading of a windowed query's SQL", () => {
    it("takes the columns of the Kafka tables, the Nexmark views and the sink", () => {
        const kafka = declaredColumns(sqlOf("q5"));
        expect(kafka.get("bid")).toEqual(["auction", "bidder", "price", "channel", "url", "datetime", "extra"]);
        expect(kafka.get("results")).toEqual(["auction", "num"]);
        const nexmark = declaredColumns(sqlOf("q5", "nexmark"));
        expect(nexmark.get("bid")).toEqual(["auction", "bidder", "price", "channel", "url", "datetime", "extra"]);
        expect(nexmark.has("nexmark")).toBe(false);
    });

    it("replaces each window call and renames the `window` alias", () => {
        const select = perWindowSelect(sqlOf("q8"));
        expect(select).not.toMatch(/tumble|\bwindow\b/i);
        expect(select.match(/__window AS window__/g)).toHaveLength(2);
        expect(sessionKeyColumns(sqlOf("q8"))).toEqual([]);
    });

    it("refuses a windowed query whose tables it cannot read, naming the table", async () => {
        await expect(WindowQuery.create(sqlOf("q5"), ["bids"], "results")).rejects.toThrow("'bids'");
    });
});
