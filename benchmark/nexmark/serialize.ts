import { Auction, Bid, Person } from "./model";

// JSON records as Arroyo's `format = 'json'` Kafka source reads them: one flat object per
// event, timestamps as RFC 3339 strings (Arroyo's default JSON timestamp format). Written by hand
// because JSON.stringify is the generator's largest cost; every string field is either from a
// fixed list, digits, or [a-z ] text, so only `channel`/`url` and names could need escaping,
// and none of them contain characters JSON must escape.

// At benchmark rates dozens of consecutive events share a millisecond: format each one once.
let lastMs = NaN;
let lastIso = "";
const iso = (ms: number): string => {
    if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
    }
    return lastIso;
};

export function personJson(p: Person): string {
    return `{"id":${p.id},"name":"${p.name}","email_address":"${p.email_address}","credit_card":"${p.credit_card}","city":"${p.city}","state":"${p.state}","datetime":"${iso(p.datetime)}","extra":"${p.extra}"}`;
}

export function auctionJson(a: Auction): string {
    return `{"id":${a.id},"item_name":"${a.item_name}","description":"${a.description}","initial_bid":${a.initial_bid},"reserve":${a.reserve},"datetime":"${iso(a.datetime)}","expires":"${iso(a.expires)}","seller":${a.seller},"category":${a.category},"extra":"${a.extra}"}`;
}

export function bidJson(b: Bid): string {
    return `{"auction":${b.auction},"bidder":${b.bidder},"price":${b.price},"channel":"${b.channel}","url":"${b.url}","datetime":"${iso(b.datetime)}","extra":"${b.extra}"}`;
}

/**
 * An event time as an engine writes it back, ms since the epoch: RFC 3339 with a zone as
 * written here, or without one (a TIMESTAMP column), which both engines mean as UTC.
 */
export function instantOf(text: string): number {
    return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}
