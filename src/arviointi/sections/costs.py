"""Costs: the municipal share of the labour market subsidy, the pilot's budget and grant,
cost per client, cost per additional person employed, net savings and a cost target.

* The municipal share is computed from benefit days under the rule set in params
  (``cost_rules.rule_set``, daily amount ``cost_rules.daily_subsidy_eur``) with
  :func:`arviointi.costs.municipal_share_from_days`; where
  the client panel also carries the recorded euros, the two are compared (a diagnostic).
* The effect on municipal-share euros per client-month is a person fixed-effects DiD on
  the matched clients (the same matching and design as :mod:`arviointi.sections.clients`).
* Budget against actual by cost category and year with the grant (cost ledger; where it has
  no grant column, ``cost_rules.grant_rate`` of the actual costs).
* Cost per additional person employed (Fieller interval from the employment effect) and
  net savings (effect on the municipal share minus the city's own cost), both honest when
  the effect's interval includes zero.
* Progress against a cost target (``cost_rules.target`` in params); with no data on the
  municipal share, the section states the target and what data would be needed, and
  computes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
from matplotlib.figure import Figure

from arviointi.costs import (
    budget_vs_actual,
    cost_effectiveness,
    cost_per_client,
    municipal_share_from_days,
    net_savings,
)
from arviointi.costs.share_from_days import RuleName
from arviointi.matching import MatchResult, client_outcomes, matched_effect
from arviointi.params.schema import CostRules, CostTarget
from arviointi.report import formatting as fm
from arviointi.report.emitter import Emitter
from arviointi.report.figures import cost_figure
from arviointi.report.i18n import has_message, t
from arviointi.results.base import EffectResults
from arviointi.sections.client_effects import (
    cem_match,
    cut_at_window_end,
    effect_rows,
    emit_effects_table,
    fe_did,
    matching_covariates,
    truth_after_entry,
    window_months,
)
from arviointi.sections.clients import descriptive_result, source_truth, window_end
from arviointi.sections.context import EvaluationContext


def _setting(rules: CostRules | None, name: str) -> Any:
    """A cost rule from params, or its schema default when params give no ``cost_rules``."""
    if rules is not None:
        return getattr(rules, name)
    return CostRules.model_fields[name].default


@dataclass
class CostsAnalysis:
    """Results of the cost analysis (aggregates and results objects)."""

    has_clients: bool
    has_ledger: bool
    synthetic: bool = False
    alpha: float = 0.05
    rule_set: str | None = None
    daily_subsidy_eur: float = 0.0
    grant_rate: float = 0.0
    rule_agreement_pct: float | None = None
    rule_agreement_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    share_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    did: EffectResults | None = None
    did_recorded: EffectResults | None = None
    matched: EffectResults | None = None
    employment: EffectResults | None = None
    true_share: float | None = None
    true_share_pooled: float | None = None
    true_employment: float | None = None
    budget: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_category: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_client: pd.DataFrame = field(default_factory=pd.DataFrame)
    effectiveness: dict[str, Any] = field(default_factory=dict)
    savings: dict[str, Any] = field(default_factory=dict)
    n_pilot: int = 0
    n_matched: int = 0
    treated_months: int = 0
    target: CostTarget | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def _rule_check(shares: pd.DataFrame) -> tuple[float | None, pd.DataFrame]:
    """Share (%) of person-months where the computed share equals the recorded one."""
    if "municipal_share_eur" not in shares.columns:
        return None, pd.DataFrame()
    same = (shares["municipal_share_eur_computed"] - shares["municipal_share_eur"]).abs() < 0.01
    by_year = (
        pd.DataFrame({"year": shares["month"].dt.year, "same": same})
        .groupby("year")["same"]
        .agg(n_months="size", agree_pct=lambda s: 100 * float(s.mean()))
        .reset_index()
    )
    return 100 * float(same.mean()), by_year


def analyse_costs(ctx: EvaluationContext) -> CostsAnalysis:
    """Compute every cost figure the data allow (see the module docstring)."""
    ev = ctx.evaluation
    alpha = ev.inference.alpha
    clients = ctx.frame_for("clients")
    panel = ctx.frame_for("client_panel")
    ledger = ctx.frame_for("cost_ledger")
    rules = ev.cost_rules
    out = CostsAnalysis(
        has_clients=clients is not None and panel is not None,
        has_ledger=ledger is not None,
        synthetic=ctx.synthetic,
        alpha=alpha,
        rule_set=rules.rule_set if rules is not None else None,
        daily_subsidy_eur=float(_setting(rules, "daily_subsidy_eur")),
        grant_rate=float(_setting(rules, "grant_rate")),
        target=_setting(rules, "target"),
    )
    end = window_end(ctx)
    start = pd.Timestamp(f"{ev.design.pilot_start}-01")
    if clients is not None and panel is not None:
        clients, panel = cut_at_window_end(clients, panel, end)
        _client_costs(ctx, out, clients, panel, start, end)
    if ledger is not None:
        budget = budget_vs_actual(ledger, grant_rate=out.grant_rate)
        out.budget = budget
        rows = budget[budget["category"] != "total"]
        out.by_category = (
            rows.groupby("category", sort=False)[["budget", "actual", "grant"]].sum().reset_index()
        )
        if out.has_clients and clients is not None and panel is not None:
            pilot_ids = set(clients.loc[clients["group"] == "pilot", "person_id"])
            served = panel[panel["person_id"].isin(pilot_ids)]
            years = served.groupby(served["month"].dt.year)["person_id"].nunique()
            counts: dict[int | str, int] = dict(
                zip(years.index.astype(int).tolist(), years.astype(int).tolist(), strict=True)
            )
            years_in_ledger = {int(y) for y in rows["year"]}
            counts = {y: counts.get(y, 0) for y in sorted(years_in_ledger)}
            counts = {y: n for y, n in counts.items() if n > 0}
            counts["all"] = len(pilot_ids)
            kept = budget[budget["year"].isin([*counts])]
            out.per_client = cost_per_client(kept, counts)
        _effectiveness(out)
    return out


def _client_costs(
    ctx: EvaluationContext,
    out: CostsAnalysis,
    clients: pd.DataFrame,
    panel: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> None:
    rule = cast(RuleName, out.rule_set or "by_year")
    shares = municipal_share_from_days(panel, clients, daily_eur=out.daily_subsidy_eur, rules=rule)
    shares["month"] = pd.to_datetime(shares["month"])
    out.rule_agreement_pct, out.rule_agreement_by_year = _rule_check(shares)
    computed = shares.drop(columns=["municipal_share_eur"], errors="ignore").rename(
        columns={"municipal_share_eur_computed": "municipal_share_eur"}
    )
    groups = clients.set_index("person_id")["group"]
    by_year = computed.assign(
        group=computed["person_id"].map(groups), year=computed["month"].dt.year
    )
    out.share_by_year = (
        by_year.groupby(["year", "group"])
        .agg(n_persons=("person_id", "nunique"), eur=("municipal_share_eur", "sum"))
        .reset_index()
    )
    match: MatchResult = cem_match(clients, matching_covariates(ctx))
    months = window_months(start, end)
    out.did = fe_did(clients, computed, match, out.alpha, months, outcome="municipal_share_eur")
    out.employment = fe_did(clients, panel, match, out.alpha, months)
    if "municipal_share_eur" in panel.columns:
        out.did_recorded = fe_did(
            clients, panel, match, out.alpha, months, outcome="municipal_share_eur"
        )
        out.did_recorded.model = "did_person_fe_recorded"
    pooled = client_outcomes(clients, computed, window_months=None)
    out.matched = matched_effect(
        pooled,
        match,
        outcome="municipal_share_eur_per_month",
        obs_weight="months_observed",
        alpha=out.alpha,
    )
    out.matched.model = "matched_difference"
    # the costs are those of all pilot clients: the effect estimated on the matched clients
    # is carried to all of them (an assumption the report states)
    out.n_matched = match.n_treated_matched
    pilot_ids = set(clients.loc[clients["group"] == "pilot", "person_id"])
    out.n_pilot = len(pilot_ids)
    entry = clients.set_index("person_id")["entry_month"]
    rows = panel[panel["person_id"].isin(pilot_ids)]
    out.treated_months = int((rows["month"] > rows["person_id"].map(entry)).sum())
    truth = source_truth(ctx, ctx.source_for("client_panel"))
    if truth is not None:
        first, last = start.strftime("%Y-%m"), end.strftime("%Y-%m")
        out.true_share = truth_after_entry(
            truth, clients, panel, first, last, outcome="municipal_share_eur"
        )
        out.true_share_pooled = truth.att("municipal_share_eur", "client", first, last)
        out.true_employment = truth_after_entry(truth, clients, panel, first, last)
    results = [r for r in (out.did, out.did_recorded, out.matched) if r is not None]
    out.table = pd.concat([r.to_frame() for r in results], ignore_index=True)


def _effectiveness(out: CostsAnalysis) -> None:
    if out.budget.empty:
        return
    overall = out.budget[(out.budget["year"] == "all") & (out.budget["category"] == "total")]
    actual = float(overall["actual"].iloc[0])
    net = float(overall["municipal_net"].iloc[0])
    if out.employment is not None and out.employment.se and out.n_pilot > 0:
        out.effectiveness = cost_effectiveness(
            actual, out.employment.estimate, out.employment.se, out.n_pilot, alpha=out.alpha
        )
    if out.did is not None and out.did.se is not None and out.treated_months > 0:
        out.savings = net_savings(
            out.did.estimate, out.did.se, max(net, 0.0), scale=out.treated_months, alpha=out.alpha
        )


# -- report ---------------------------------------------------------------------------


def _category_label(category: str, lang: str) -> str:
    key = f"costs.category.{category}"
    return t(key, lang) if has_message(key, lang) else category


def category_cost_figure(frame: pd.DataFrame, lang: str) -> Figure:
    """:func:`cost_figure` with the cost categories translated."""
    shown = frame.assign(category=[_category_label(c, lang) for c in frame["category"]])
    return cost_figure(shown, lang)


def budget_table(analysis: CostsAnalysis) -> pd.DataFrame:
    """Budget, actual, grant and the city's own cost per year (totals) and overall."""
    b = analysis.budget
    tot = b[b["category"] == "total"]
    frame = pd.DataFrame(
        {
            "budget": tot["budget"].to_numpy(dtype=float),
            "actual": tot["actual"].to_numpy(dtype=float),
            "variance_pct": tot["variance_pct"].to_numpy(dtype=float),
            "grant": tot["grant"].to_numpy(dtype=float),
            "municipal_net": tot["municipal_net"].to_numpy(dtype=float),
        },
        index=pd.Index(tot["year"].astype(str).to_numpy(), name="year"),
    )
    return frame


def _eur(x: float, lang: str) -> str:
    return fm.fmt_euro(x, lang, 0)


def emit_costs(analysis: CostsAnalysis, em: Emitter) -> None:
    """Write the cost section of the report."""
    em.section("costs")
    em.heading("costs.heading")
    if not analysis.has_clients:
        em.paragraph("costs.no_client_data")
    else:
        _emit_client_costs(analysis, em)
    if not analysis.has_ledger:
        em.paragraph("costs.no_ledger")
    else:
        _emit_budget(analysis, em)
    _emit_target(analysis, em)


def _emit_client_costs(analysis: CostsAnalysis, em: Emitter) -> None:
    assert analysis.did is not None and analysis.matched is not None
    em.heading("costs.heading_share", level=3)
    rule = analysis.rule_set or "by_year"
    em.paragraphs(["costs.share_intro", f"costs.rule.{rule}"])
    if analysis.rule_agreement_pct is not None:
        pct = analysis.rule_agreement_pct
        em.paragraph(
            "costs.rule_check", pct=em.per_language(lambda lang: fm.fmt_number(pct, lang, 1))
        )
    em.verdict(
        analysis.did,
        outcome_key="costs.outcome.municipal_share",
        unit_key="costs.unit.eur_month",
        decimals=0,
        true_effect=analysis.true_share if analysis.rule_agreement_pct == 100.0 else None,
    )
    rows = effect_rows(
        (
            ("did", analysis.did, 1.0),
            ("did_recorded", analysis.did_recorded, 1.0),
            ("matched", analysis.matched, 1.0),
        )
    )
    emit_effects_table(
        em,
        rows,
        "costs.caption_effects",
        key_column_key="costs.col.estimate_key",
        estimate_column_key="costs.col.eur_month",
        row_key="costs.row",
        decimals=0,
    )
    if analysis.synthetic and analysis.true_share is not None:
        true_share = analysis.true_share
        em.paragraph(
            "costs.truth_note",
            amount=em.per_language(lambda lang: fm.fmt_number(true_share, lang, 0)),
        )
    label = {
        "fi": "Työmarkkinatuen kuntaosuus (€/asiakaskk)",
        "en": "Municipal share of the subsidy (EUR per client-month)",
    }
    truth_ok = analysis.rule_agreement_pct == 100.0
    em.record(
        analysis.did,
        true_effect=analysis.true_share if truth_ok else None,
        role="primary",
        level="client",
        label=label,
        unit="eur",
        rule_set=analysis.rule_set,
    )
    if analysis.did_recorded is not None:
        em.record(
            analysis.did_recorded,
            true_effect=analysis.true_share,
            role="robustness",
            level="client",
            unit="eur",
        )
    em.record(
        analysis.matched,
        true_effect=analysis.true_share_pooled if truth_ok else None,
        role="robustness",
        level="client",
        unit="eur",
    )
    if analysis.rule_agreement_pct is not None:
        em.record(
            descriptive_result(
                analysis.rule_agreement_pct,
                outcome="municipal_share_eur",
                model="share_rule_check",
                reason=f"per cent of client-months where the share computed under rule set "
                f"{analysis.rule_set!r} equals the recorded share",
                n=int(analysis.rule_agreement_by_year["n_months"].sum()),
            ),
            role="diagnostic",
            level="client",
        )


def _emit_budget(analysis: CostsAnalysis, em: Emitter) -> None:
    em.heading("costs.heading_budget", level=3)
    overall = analysis.budget[
        (analysis.budget["year"] == "all") & (analysis.budget["category"] == "total")
    ].iloc[0]
    em.paragraph(
        "costs.budget_text",
        budget=em.per_language(lambda lang: _eur(overall["budget"], lang)),
        actual=em.per_language(lambda lang: _eur(overall["actual"], lang)),
        grant=em.per_language(lambda lang: _eur(overall["grant"], lang)),
        net=em.per_language(lambda lang: _eur(overall["municipal_net"], lang)),
    )
    em.table(
        budget_table(analysis),
        "costs.caption_budget",
        level="area",
        total_row="all",
        columns={
            "year": "column.year",
            "budget": "column.budget",
            "actual": "column.actual",
            "variance_pct": "costs.col.variance_pct",
            "grant": "column.grant",
            "municipal_net": "costs.col.municipal_net",
        },
        formats={
            "budget": "euro",
            "actual": "euro",
            "variance_pct": "signed:1",
            "grant": "euro",
            "municipal_net": "euro",
        },
    )
    em.figure(
        category_cost_figure,
        "caption.costs",
        "alt.costs",
        frame=analysis.by_category[["category", "budget", "actual"]],
    )
    if not analysis.per_client.empty:
        em.heading("costs.heading_per_client", level=3)
        pc = analysis.per_client[analysis.per_client["year"].astype(str) != "all"]
        every = analysis.per_client[analysis.per_client["year"].astype(str) == "all"]
        em.table(
            pd.DataFrame(
                {
                    "n_clients": pc["n_clients"].astype(int).to_numpy(),
                    "cost_per_client": pc["cost_per_client"].to_numpy(dtype=float),
                    "net_per_client": pc["municipal_net_per_client"].to_numpy(dtype=float),
                },
                index=pd.Index(pc["year"].astype(str).to_numpy(), name="year"),
            ),
            "costs.caption_per_client",
            level="client",
            counts=["n_clients"],
            derived={"cost_per_client": "n_clients", "net_per_client": "n_clients"},
            columns={
                "year": "column.year",
                "n_clients": "costs.col.n_clients",
                "cost_per_client": "costs.col.cost_per_client",
                "net_per_client": "costs.col.net_per_client",
            },
            formats={"cost_per_client": "euro", "net_per_client": "euro"},
        )
        if not every.empty and int(every["n_clients"].iloc[0]) >= em.threshold:
            row = every.iloc[0]
            em.paragraph(
                "costs.per_client_all",
                n=int(row["n_clients"]),
                gross=em.per_language(lambda lang: _eur(row["cost_per_client"], lang)),
                net=em.per_language(lambda lang: _eur(row["municipal_net_per_client"], lang)),
            )
    _emit_effectiveness(analysis, em)


def _emit_effectiveness(analysis: CostsAnalysis, em: Emitter) -> None:
    ce, ns = analysis.effectiveness, analysis.savings
    if not ce and not ns:
        return
    em.heading("costs.heading_effectiveness", level=3)
    if ce:
        add_lo, add_hi = ce["additional_employed_ci"]
        values: dict[str, Any] = {
            "additional": em.per_language(
                lambda lang: fm.fmt_number(ce["additional_employed"], lang, 0)
            ),
            "add_interval": em.per_language(lambda lang: fm.fmt_interval(add_lo, add_hi, lang, 0)),
        }
        if ce["defined"]:
            key = "costs.ce_defined"
        elif math.isfinite(ce["ci_low"]):
            key = "costs.ce_unbounded"
        else:
            key = "costs.ce_none"
        values["ratio"] = em.per_language(
            lambda lang: _eur(ce["cost_per_additional_employed"], lang)
        )
        values["low"] = em.per_language(lambda lang: _eur(ce["ci_low"], lang))
        values["high"] = em.per_language(lambda lang: _eur(ce["ci_high"], lang))
        values["n"] = analysis.n_pilot
        values["matched"] = analysis.n_matched
        em.paragraphs(["costs.ce_scope", "costs.ce_intro", key], **values)
        ratio = ce["cost_per_additional_employed"]
        if math.isfinite(ratio):
            res = EffectResults(
                estimate=ratio,
                se=None,
                pvalue=None,
                inference=analysis.employment.inference
                if analysis.employment is not None
                else descriptive_result(0, outcome="", model="", reason="", n=0).inference,
                n_obs=analysis.n_pilot,
                n_treated=analysis.n_pilot,
                n_control=0,
                outcome="cost_per_additional_employed",
                alpha=analysis.alpha,
                model="cost_effectiveness",
                ci_method=lambda _a: (ce["ci_low"], ce["ci_high"]),
            )
            true_ratio = None
            if analysis.true_employment is not None and analysis.true_employment > 0:
                # the same ratio with the planted employment effect in place of the estimate
                true_ratio = ce["cost_per_client"] / analysis.true_employment
            em.record(
                res,
                true_effect=true_ratio,
                role="robustness",
                level="client",
                unit="eur",
                note=ce["note"],
            )
    if ns:
        key = (
            "costs.savings_clear"
            if ns["ci_low"] > 0
            else ("costs.savings_negative" if ns["ci_high"] < 0 else "costs.savings_unclear")
        )
        em.paragraph(
            key,
            gross=em.per_language(lambda lang: _eur(ns["gross_savings"], lang)),
            cost=em.per_language(lambda lang: _eur(ns["programme_cost_net"], lang)),
            net=em.per_language(lambda lang: _eur(ns["net_savings"], lang)),
            low=em.per_language(lambda lang: _eur(ns["ci_low"], lang)),
            high=em.per_language(lambda lang: _eur(ns["ci_high"], lang)),
            months=analysis.treated_months,
        )
        res = EffectResults(
            estimate=ns["net_savings"],
            se=ns["se"],
            pvalue=None,
            inference=analysis.did.inference if analysis.did is not None else None,  # type: ignore[arg-type]
            n_obs=analysis.treated_months,
            n_treated=analysis.n_pilot,
            n_control=0,
            outcome="net_savings_eur",
            alpha=analysis.alpha,
            model="net_savings",
            ci_method=lambda _a: (ns["ci_low"], ns["ci_high"]),
        )
        em.record(res, role="robustness", level="client", unit="eur")


def _emit_target(analysis: CostsAnalysis, em: Emitter) -> None:
    target = analysis.target
    em.heading("costs.heading_target", level=3)
    if target is None:
        em.paragraph("costs.no_target")
        return
    values: Mapping[str, Any] = {
        "pct": em.per_language(lambda lang: fm.fmt_number(abs(target.target_pct), lang, 0)),
        "base_year": str(target.base_year),
        "amount": em.per_language(lambda lang: _eur(target.amount_eur, lang)),
        "by": target.by[:4],
    }
    em.paragraph("costs.target_text", **values)
    if not analysis.has_clients:
        em.paragraphs(["costs.target_no_data", "costs.target_data_needed"], **values)
