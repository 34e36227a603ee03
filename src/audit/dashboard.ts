import { z } from 'zod';
import { barList, columnChart, esc } from './charts';
import type { Ledger } from './ledger';
import { funnelReport, slaReport } from './reports';
import { type FunnelQuery, funnelReportSchema, slaLeadSchema, slaReportSchema } from './schemas';

const MIN = 60_000;
const H = 60 * MIN;

/** First-response buckets in business time, from "right away" to "more than a working day". */
const RESPONSE_BUCKETS = [
  { label: '< 5 min', below: 5 * MIN },
  { label: '5–15 min', below: 15 * MIN },
  { label: '15–30 min', below: 30 * MIN },
  { label: '30–60 min', below: H },
  { label: '1–4 h', below: 4 * H },
  { label: '4–8 h', below: 8 * H },
  { label: '8–24 h', below: 24 * H },
  { label: '> 24 h', below: Number.POSITIVE_INFINITY },
] as const;

const TOP_OWNERS = 10;
const BREACHED_ROWS = 50;

const sla = slaReportSchema.shape;
export const dashboardDataSchema = z.object({
  from: z.string(),
  to: z.string(),
  totals: sla.totals,
  complianceRate: sla.complianceRate,
  responseTime: sla.responseTime,
  timeToActionAfterBreach: sla.timeToActionAfterBreach,
  byWeek: sla.byWeek,
  responseHistogram: z.array(z.object({ label: z.string(), leads: z.number().int() })),
  /** The owners with the most breaches (the owner who held the clock at the breach), at most ten. */
  byOwner: sla.byOwner,
  byTeam: sla.byTeam,
  funnel: funnelReportSchema,
  /** The most recently qualified breached leads, at most fifty. */
  breachedLeads: z.array(slaLeadSchema),
  breachedLeadsTotal: z.number().int(),
  /** Leads whose Salesforce write-back is failing now (a field refused, or a write refused for good). */
  syncFailing: z.array(
    z.object({
      leadId: z.string(),
      workflowId: z.string(),
      at: z.string(),
      code: z.string(),
      fields: z.array(z.string()),
    }),
  ),
});
export type DashboardData = z.infer<typeof dashboardDataSchema>;

/** Everything the dashboard shows for [from, to), from the two reports. */
export async function dashboardData(ledger: Ledger, window: FunnelQuery): Promise<DashboardData> {
  const [report, funnel, syncFailing] = await Promise.all([
    slaReport(ledger, window),
    funnelReport(ledger, window),
    ledger.syncFailing(BREACHED_ROWS),
  ]);
  const histogram = RESPONSE_BUCKETS.map((b) => ({ label: b.label, leads: 0 }));
  for (const lead of report.leads) {
    if (lead.responseBusinessMs === null) continue;
    const bucket = histogram[RESPONSE_BUCKETS.findIndex((b) => (lead.responseBusinessMs ?? 0) < b.below)];
    if (bucket) bucket.leads += 1;
  }
  const breached = report.leads.filter((l) => l.status === 'BREACHED');
  return {
    from: report.from,
    to: report.to,
    totals: report.totals,
    complianceRate: report.complianceRate,
    responseTime: report.responseTime,
    timeToActionAfterBreach: report.timeToActionAfterBreach,
    byWeek: report.byWeek,
    responseHistogram: histogram,
    byOwner: report.byOwner.filter((o) => o.breached > 0).slice(0, TOP_OWNERS),
    byTeam: [...report.byTeam].sort((a, b) => b.breached - a.breached || a.team.localeCompare(b.team)),
    funnel,
    breachedLeads: breached.slice(-BREACHED_ROWS).reverse(),
    breachedLeadsTotal: breached.length,
    syncFailing,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const day = (iso: string) => `${MONTHS[Number(iso.slice(5, 7)) - 1] ?? ''} ${Number(iso.slice(8, 10))}`;
const stamp = (iso: string | null) => (iso ? `${day(iso)}, ${iso.slice(11, 16)}` : '—');
const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`);

function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < H) return `${Math.round(ms / MIN)} min`;
  if (ms < 48 * H) return `${Math.round((ms / H) * 10) / 10} h`;
  return `${Math.round((ms / (24 * H)) * 10) / 10} d`;
}

function workflowLink(base: string | null, namespace: string, workflowId: string): string {
  if (!base) return esc(workflowId);
  const href = `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return `<a href="${esc(href)}" target="_blank" rel="noopener">${esc(workflowId)} ↗</a>`;
}

/** Only http(s) links reach the page. */
function safeBase(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString().replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

function card(title: string, subtitle: string, body: string, wide = false): string {
  return `<section class="card${wide ? ' wide' : ''}"><h2>${esc(title)}</h2><p class="sub">${esc(subtitle)}</p>${body}</section>`;
}

/** The RevOps page: self-contained HTML (inline CSS and SVG, no script, nothing fetched). */
function syncTable(data: DashboardData): string {
  if (data.syncFailing.length === 0) return '<p class="sub">Every lead’s last write landed in full.</p>';
  const rows = data.syncFailing
    .map(
      (f) =>
        `<tr data-sync-failing="${esc(f.leadId)}"><td>${esc(f.leadId)}</td><td>${esc(f.code)}</td><td>${esc(f.fields.join(', ') || '—')}</td><td>${esc(f.at)}</td></tr>`,
    )
    .join('');
  return `<table data-table="sync-failing"><thead><tr><th>Lead</th><th>Salesforce error</th><th>Fields left out</th><th>Since</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderDashboard(data: DashboardData, opts: { temporalUiUrl: string; namespace: string }): string {
  const base = safeBase(opts.temporalUiUrl);
  const lastDay = new Date(Date.parse(data.to) - 1).toISOString();
  const windowText = `${day(data.from)} ${data.from.slice(0, 4)} – ${day(lastDay)} ${lastDay.slice(0, 4)} (UTC)`;
  const t = data.totals;
  const kpis = [
    ['Leads handed to sales', String(t.leads), 'qualification cycles in the window'],
    ['SLA compliance', percent(data.complianceRate), 'met ÷ (met + breached)'],
    ['Met', String(t.met), 'worked before the deadline'],
    ['Breached', String(t.breached), 'missed the deadline, even if worked later'],
    ['Pending', String(t.pending), 'not worked yet, deadline not missed'],
    ['Closed unworked', String(t.closedUnworked), 'closed before anyone responded; not in the rate'],
    [
      'Median first response',
      duration(data.responseTime.business.p50),
      `business time · p90 ${duration(data.responseTime.business.p90)}`,
    ],
  ]
    .map(
      ([label, value, note]) =>
        `<div class="kpi" data-kpi="${esc(label ?? '')}"><div class="v">${esc(value ?? '')}</div><div class="l">${esc(label ?? '')}</div><div class="n">${esc(note ?? '')}</div></div>`,
    )
    .join('');

  const weekly = columnChart({
    id: 'compliance-by-week',
    title: 'SLA compliance by week',
    bars: data.byWeek.map((w) => ({
      label: day(w.weekStart),
      value: w.complianceRate,
      text: w.complianceRate === null ? '–' : percent(w.complianceRate),
      note: `${w.leads} lead${w.leads === 1 ? '' : 's'}`,
    })),
    max: 1,
    ticks: [0, 0.25, 0.5, 0.75, 1],
    tick: (v) => `${v * 100}%`,
    yAxisLabel: 'Compliance',
    xAxisLabel: 'Week starting (Monday, UTC) · leads qualified that week',
    width: 1200,
    ...(data.complianceRate === null
      ? {}
      : { reference: { value: data.complianceRate, label: `window ${percent(data.complianceRate)}` } }),
  });

  const histogramMax = Math.max(0, ...data.responseHistogram.map((b) => b.leads));
  const responses = columnChart({
    id: 'response-time',
    title: 'First response time',
    bars: data.responseHistogram.map((b) => ({ label: b.label, value: b.leads, text: String(b.leads) })),
    max: niceMax(histogramMax),
    ticks: niceTicks(histogramMax),
    tick: (v) => String(v),
    yAxisLabel: 'Leads',
    xAxisLabel: 'Qualification to first touch, business time',
    color: '#0d9488',
  });

  const owners = barList({
    id: 'breaches-by-owner',
    title: 'Breaches by owner',
    bars: data.byOwner.map((o) => ({
      label: o.ownerId ?? '(unassigned)',
      value: o.breached,
      text: String(o.breached),
      note: `of ${o.leads} · ${percent(o.complianceRate)} met`,
    })),
    xAxisLabel: 'Breached leads',
    color: '#dc2626',
    emptyMessage: 'No breaches in this window',
  });
  const teams = barList({
    id: 'breaches-by-team',
    title: 'Breaches by team',
    bars: data.byTeam.map((tm) => ({
      label: tm.team,
      value: tm.breached,
      text: String(tm.breached),
      note: `of ${tm.leads} · ${percent(tm.complianceRate)} met`,
    })),
    xAxisLabel: 'Breached leads',
    color: '#dc2626',
  });
  const recycle = barList({
    id: 'recycle-reasons',
    title: 'Recycle reasons',
    bars: data.funnel.recycleReasons.map((r) => ({ label: r.reason, value: r.count, text: String(r.count) })),
    xAxisLabel: 'Leads sent back to marketing',
    color: '#d97706',
    emptyMessage: 'No lead was recycled in this window',
  });
  const disqualify = barList({
    id: 'disqualify-reasons',
    title: 'Disqualify reasons',
    bars: data.funnel.disqualifyReasons.map((r) => ({ label: r.reason, value: r.count, text: String(r.count) })),
    xAxisLabel: 'Leads disqualified',
    color: '#6b7280',
    emptyMessage: 'No lead was disqualified in this window',
  });
  const stageCount = (stage: string) => data.funnel.stages.find((s) => s.stage === stage)?.leads ?? 0;
  const rateInto = new Map(data.funnel.conversion.map((c) => [c.to, c]));
  const funnel = barList({
    id: 'funnel',
    title: 'Funnel',
    bars: (['MQL', 'SAL', 'SQL', 'CONVERTED'] as const).map((stage) => {
      const step = rateInto.get(stage);
      return {
        label: stage,
        value: stageCount(stage),
        text: String(stageCount(stage)),
        ...(step ? { note: `${percent(step.rate)} of ${step.from} (${step.converted} of ${step.leads})` } : {}),
      };
    }),
    xAxisLabel: 'Leads entering the stage in the window',
    color: '#7c3aed',
  });
  const sideStages = (['NURTURE', 'REVIEW', 'RECYCLED', 'DISQUALIFIED'] as const)
    .map((s) => `<span data-stage="${s}"><b>${stageCount(s)}</b> ${s.toLowerCase()}</span>`)
    .join(' · ');

  const rows = data.breachedLeads
    .map(
      (
        l,
      ) => `<tr data-lead="${esc(l.leadId)}"><td>${esc(l.leadId)}</td><td>${esc(l.kind)}</td><td>${esc(l.breachedOwnerId ?? l.ownerId ?? '—')}</td><td>${esc(l.team)}</td>
<td>${stamp(l.qualifiedAt)}</td><td>${stamp(l.dueAt)}</td><td>${l.firstTouchAt ? `${stamp(l.firstTouchAt)} · ${esc(l.responseType ?? '')}` : '<em>not yet</em>'}</td>
<td class="num">${l.timeToActionMs === null ? '—' : duration(l.timeToActionMs)}</td><td class="num">${l.breaches}</td><td>${workflowLink(base, opts.namespace, l.workflowId)}</td></tr>`,
    )
    .join('\n');
  const shown =
    data.breachedLeads.length < data.breachedLeadsTotal
      ? `the ${data.breachedLeads.length} most recent of ${data.breachedLeadsTotal}`
      : `${data.breachedLeadsTotal}`;
  const table =
    data.breachedLeadsTotal === 0
      ? '<p class="sub">No breached lead in this window.</p>'
      : `<table data-table="breached-leads"><thead><tr><th>Lead</th><th>Kind</th><th>Owner who breached</th><th>Team</th><th>Qualified</th><th>Due</th><th>First touch</th><th>Late by</th><th>Breaches</th><th>Workflow</th></tr></thead><tbody>
${rows}</tbody></table>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Handoff · SLA and funnel · ${esc(windowText)}</title>
<style>
body{margin:0;background:#f3f4f6;color:#1f2a37;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{background:#111827;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#cbd5e1}
main{max-width:1280px;margin:0 auto;padding:20px 28px;display:grid;grid-template-columns:1fr 1fr;gap:18px}
.kpis{grid-column:1/-1;display:grid;grid-template-columns:repeat(7,1fr);gap:12px}
.kpi{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.kpi .v{font-size:26px;font-weight:700}.kpi .l{font-weight:600;margin-top:2px}.kpi .n{color:#6b7280;font-size:12px}
.card{background:#fff;border-radius:8px;padding:16px 18px;box-shadow:0 1px 2px rgba(0,0,0,.06);min-width:0}.card.wide{grid-column:1/-1}
.card h2{margin:0;font-size:16px}.card h3{margin:14px 0 4px;font-size:13px;color:#4b5563}.sub{margin:2px 0 10px;color:#6b7280;font-size:12px}.stages{color:#4b5563;font-size:13px;margin:6px 0 0}
table{width:100%;border-collapse:collapse;font-size:13px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;white-space:nowrap}
th{color:#6b7280;font-weight:600;font-size:12px}td.num{text-align:right}a{color:#2563eb;text-decoration:none}a:hover{text-decoration:underline}
footer{max-width:1280px;margin:0 auto;padding:0 28px 24px;color:#6b7280;font-size:12px}
</style></head>
<body>
<header><h1>Lead handoff: SLA compliance and funnel</h1><p>${esc(windowText)} · leads counted in the week they were handed to sales</p></header>
<main>
<div class="kpis">${kpis}</div>
${card('SLA compliance by week', 'Share of decided leads worked before their first-touch deadline; dashed line: the whole window', weekly, true)}
${card('First response time', `Leads by time from hand-off to first touch (accept, contact or reject), business hours · p50 ${duration(data.responseTime.business.p50)}, p90 ${duration(data.responseTime.business.p90)}, p95 ${duration(data.responseTime.business.p95)}`, responses)}
${card('After a breach', 'How long breached leads waited past their deadline before someone worked them', timeToAction(data))}
${card('Breaches by owner', 'Top owners by breached leads; a lead counts for the owner who held the clock when it breached, not the one who worked it afterwards', owners)}
${card('Breaches by team', 'Breached leads per team, with each team’s compliance', teams)}
${card('Funnel', 'Leads entering each stage in the window; conversion = share of the previous stage that went on to this one', `${funnel}<p class="stages">Also: ${sideStages}</p>`)}
${card('Why leads left the funnel', 'Recycled to marketing (reasons from reps and the engine), and disqualified', `${recycle}<h3>Disqualified</h3>${disqualify}`)}
${card(`Breached leads (${shown})`, 'Each links to its workflow in the Temporal Web UI (while Temporal retains it); this ledger keeps the record after that', table, true)}
${card(`Salesforce sync failing (${data.syncFailing.length})`, 'Leads whose last write-back did not land in full: the field Salesforce refused (the rest landed, and the Lead’s Handoff_Sync_Error__c says why), or a write refused for good; a lead leaves this list when a write lands in full', syncTable(data), true)}
</main>
<footer>From the Handoff audit ledger. Window [${esc(data.from)}, ${esc(data.to)}). Compliance = met ÷ (met + breached); pending leads are not counted until decided, and leads closed before anyone responded (disqualified, decayed) are listed but never counted.</footer>
</body></html>
`;
}

function timeToAction(data: DashboardData): string {
  const t = data.timeToActionAfterBreach;
  if (t.leads === 0) return '<p class="sub">No breached lead has been worked yet.</p>';
  return `<div class="kpis" style="grid-template-columns:repeat(4,1fr)">${[
    ['Worked after a breach', String(t.leads)],
    ['Median wait past deadline', duration(t.p50)],
    ['p90', duration(t.p90)],
    ['p95', duration(t.p95)],
  ]
    .map(
      ([l, v]) =>
        `<div class="kpi" data-kpi="${esc(l ?? '')}"><div class="v">${esc(v ?? '')}</div><div class="l">${esc(l ?? '')}</div></div>`,
    )
    .join('')}</div>`;
}

/** A round axis maximum (1, 2, 5 × 10^n) at or above the largest value. */
function niceMax(max: number): number {
  if (max <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((f) => f * magnitude).find((v) => v >= max) ?? 10 * magnitude) as number;
}

/** Whole-number ticks: quarters of the axis when they are whole, else halves, else the ends. */
function niceTicks(max: number): number[] {
  const top = niceMax(max);
  if (top === 0) return [];
  const parts = [4, 2, 1].find((n) => Number.isInteger(top / n)) ?? 1;
  return Array.from({ length: parts + 1 }, (_, i) => (top / parts) * i);
}
