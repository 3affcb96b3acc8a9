{#- The catalogue of every parameter the marts read, in the order mart_run_parameters lists
    them, each with `value` (this run's) and `value_text` (the same as text), and `kind`: what
    validate_parameters() accepts (macro parameter_kinds). Values come from var():
    dbt_project.yml `vars:` (defaults) or --vars (per run); `default` is only given for the
    parameters that are not in dbt_project.yml. -#}
{% macro marts_parameters() -%}
    {%- set parameters = [
        {'name': 'as_of_date', 'kind': 'date', 'group': 'general', 'default': none,
         'description': 'As-of date of every mart; null = the day before the newest order date.'},
        {'name': 'rfm_window_months', 'kind': 'months', 'group': 'rfm',
         'description': 'Look-back window (rolling months ending at the as-of date) for frequency, monetary, tiers, ABC, satisfaction.'},
        {'name': 'rfm_score_cutoffs', 'kind': 'cutoffs', 'group': 'rfm',
         'description': 'Rank-position cut-offs of the 1-5 RFM scores (quintiles).'},
        {'name': 'abc_a_max_share', 'kind': 'share', 'group': 'abc',
         'description': 'Class A: cumulative window revenue share <= this (the top account is always A).'},
        {'name': 'abc_b_max_share', 'kind': 'share', 'group': 'abc',
         'description': 'Class B: cumulative window revenue share <= this; C above.'},
        {'name': 'tier_vip_min_revenue_cny', 'kind': 'cny', 'group': 'tier',
         'description': 'VIP: window revenue (CNY) >= this.'},
        {'name': 'tier_key_min_revenue_cny', 'kind': 'cny', 'group': 'tier',
         'description': 'Key: window revenue (CNY) >= this.'},
        {'name': 'tier_vip_top_account_share', 'kind': 'top_share', 'group': 'tier', 'nullable': true,
         'description': 'Relative tiers: VIP = top this share of buying accounts by window revenue (null = absolute CNY threshold).'},
        {'name': 'tier_key_top_account_share', 'kind': 'top_share', 'group': 'tier', 'nullable': true,
         'description': 'Relative tiers: key = top this share of buying accounts, VIP included (null = absolute CNY threshold).'},
        {'name': 'tier_potential_min_rfm_score', 'kind': 'score', 'group': 'tier',
         'description': 'Potential: R+F+M score (3-15) >= this.'},
        {'name': 'profile_loyal_min_aov_cny', 'kind': 'cny', 'group': 'profile',
         'description': 'High-value loyal profile: window AOV (CNY) > this.'},
        {'name': 'profile_loyal_min_repurchase_rate', 'kind': 'share', 'group': 'profile',
         'description': 'High-value loyal profile: repurchase rate > this.'},
        {'name': 'profile_loyal_min_satisfaction', 'kind': 'score', 'group': 'profile',
         'description': 'High-value loyal profile: window mean satisfaction > this.'},
        {'name': 'lifecycle_months', 'kind': 'months', 'group': 'lifecycle',
         'description': 'Months of the revenue trend (slope) and of each period compared.'},
        {'name': 'lifecycle_new_max_age_months', 'kind': 'months', 'group': 'lifecycle',
         'description': 'New: first purchase within this many months.'},
        {'name': 'lifecycle_growth_min_change', 'kind': 'change', 'group': 'lifecycle',
         'description': 'Growth: revenue change vs the prior period >= this (and slope >= 0).'},
        {'name': 'lifecycle_decline_max_change', 'kind': 'change', 'group': 'lifecycle',
         'description': 'Decline: revenue change vs the prior period <= this (and slope <= 0).'},
        {'name': 'lifecycle_lost_min_days', 'kind': 'days', 'group': 'lifecycle',
         'description': 'Lost / churned: days since the last purchase >= this.'},
        {'name': 'risk_no_purchase_min_days', 'kind': 'days', 'group': 'risk',
         'description': 'Signal no_purchase: fires from this many days since the last purchase.'},
        {'name': 'risk_no_purchase_full_days', 'kind': 'days', 'group': 'risk',
         'description': 'Signal no_purchase is graded: weight x days / this, at most the weight.'},
        {'name': 'risk_revenue_drop_qoq', 'kind': 'change', 'group': 'risk',
         'description': 'Signal revenue_drop_qoq: last 3 months vs the 3 before <= this.'},
        {'name': 'risk_satisfaction_floor', 'kind': 'score', 'group': 'risk',
         'description': 'Signal satisfaction_low: current satisfaction < this.'},
        {'name': 'risk_satisfaction_drop', 'kind': 'score', 'group': 'risk',
         'description': 'Signal satisfaction_falling: baseline minus last-3-months mean >= this.'},
        {'name': 'risk_satisfaction_falling_max', 'kind': 'score', 'group': 'risk',
         'description': 'Signal satisfaction_falling: and the last-3-months mean < this.'},
        {'name': 'risk_complaints_rise_min', 'kind': 'count', 'group': 'risk',
         'description': 'Signal complaints_rising: complaints last 3 months minus the 3 before >= this.'},
        {'name': 'risk_overdue_days', 'kind': 'grace_days', 'group': 'risk',
         'description': 'Signal overdue_receivables: an unpaid invoice more than this many days past due.'},
        {'name': 'risk_overdue_max_days', 'kind': 'days', 'group': 'risk',
         'description': 'Signal overdue_receivables: ... and at most this many days past due (older debts age out).'},
        {'name': 'risk_overdue_min_cny', 'kind': 'cny', 'group': 'risk',
         'description': 'Signal overdue_receivables: ... with at least this much (CNY) unpaid on the invoice.'},
        {'name': 'risk_collection_rate_floor', 'kind': 'share', 'group': 'risk',
         'description': 'Signal low_collection_rate: collection rate of invoices due in the window < this.'},
        {'name': 'risk_opportunity_lost_min', 'kind': 'count', 'group': 'risk',
         'description': 'Signal opportunity_lost: opportunities lost in the last 3 months >= this.'},
        {'name': 'risk_level_high_min_score', 'kind': 'score', 'group': 'risk',
         'description': 'Risk level high: risk score >= this.'},
        {'name': 'risk_level_medium_min_score', 'kind': 'score', 'group': 'risk',
         'description': 'Risk level medium: risk score >= this (low: > 0, none: 0).'},
        {'name': 'risk_win_back_days', 'kind': 'days', 'group': 'risk',
         'description': 'Risk level lost (win-back list, not the early warning): days since the last purchase >= this.'},
        {'name': 'risk_backtest_snapshots', 'kind': 'count', 'group': 'risk',
         'description': 'Backtest: month-ends before the as-of month at which the warning is evaluated.'},
        {'name': 'risk_backtest_horizon_days', 'kind': 'horizons', 'group': 'risk',
         'description': 'Backtest: churn = no completed order in this many days after the snapshot.'},
        {'name': 'cross_sell_min_support', 'kind': 'share', 'group': 'cross_sell',
         'description': 'Cross-sell rules: support (share of accounts buying both) >= this.'},
        {'name': 'cross_sell_min_confidence', 'kind': 'share', 'group': 'cross_sell',
         'description': 'Cross-sell rules: confidence (share of antecedent buyers buying the consequent) >= this.'},
        {'name': 'cross_sell_min_lift', 'kind': 'ratio', 'group': 'cross_sell',
         'description': 'Cross-sell rules: lift > this.'},
        {'name': 'cross_sell_top_n', 'kind': 'count', 'group': 'cross_sell',
         'description': 'Cross-sell recommendations kept per account and level.'},
        {'name': 'top_n_accounts', 'kind': 'count', 'group': 'kpi',
         'description': 'Length of the top-account lists.'},
        {'name': 'analytics_k_min', 'kind': 'clusters', 'group': 'analytics',
         'description': 'Clusters: smallest k tried (k-means, chosen by silhouette).'},
        {'name': 'analytics_k_max', 'kind': 'clusters', 'group': 'analytics',
         'description': 'Clusters: largest k tried (capped at the number of accounts - 1).'},
        {'name': 'analytics_seed', 'kind': 'seed', 'group': 'analytics',
         'description': 'Seed of every random step of the analytics stage.'},
        {'name': 'analytics_forecast_horizon_months', 'kind': 'months', 'group': 'analytics',
         'description': 'Revenue forecast: complete months ahead of the last complete month.'},
        {'name': 'analytics_forecast_interval', 'kind': 'coverage', 'group': 'analytics',
         'description': 'Revenue forecast: coverage of the prediction interval (0.80 = 10 %-90 %).'},
        {'name': 'analytics_backtest_months', 'kind': 'months', 'group': 'analytics',
         'description': 'Backtests: months before the as-of date at which the models are refitted.'},
        {'name': 'analytics_clv_horizon_days', 'kind': 'days', 'group': 'analytics',
         'description': 'CLV: days of the expected orders / revenue and of P(alive) backtest.'},
        {'name': 'analytics_clv_months', 'kind': 'months', 'group': 'analytics',
         'description': 'CLV: months of the customer lifetime value.'},
        {'name': 'analytics_clv_annual_discount_rate', 'kind': 'ratio', 'group': 'analytics',
         'description': 'CLV: annual discount rate of future revenue.'},
    ] -%}
    {#- add the value of this run as text: 'null' when unset, lists comma-separated -#}
    {%- for parameter in parameters -%}
        {%- if 'default' in parameter -%}
            {%- set value = var(parameter.name, parameter.default) -%}
        {%- else -%}
            {%- set value = var(parameter.name) -%}
        {%- endif -%}
        {%- if value is none -%}
            {%- set value_text = 'null' -%}
        {%- elif value is string -%}
            {%- set value_text = value -%}
        {%- elif value is iterable -%}
            {%- set value_text = value | join(', ') -%}
        {%- else -%}
            {%- set value_text = value | string -%}
        {%- endif -%}
        {%- do parameter.update({'value': value, 'value_text': value_text}) -%}
    {%- endfor -%}
    {{ return(parameters) }}
{%- endmacro %}
