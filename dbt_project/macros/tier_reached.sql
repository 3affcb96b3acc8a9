{#-
    tier_reached(tier): whether an account reaches the `vip` or `key` tier.
    Absolute (default): window revenue >= tier_<tier>_min_revenue_cny. Relative, when
    tier_<tier>_top_account_share is set (0 < share <= 1): the account is among the top
    ceil(share x buying accounts) by window revenue (rank 1 = largest; at least one account),
    so the tiers fit any company size and currency.
    Reads account_metrics.window_revenue_cny and pareto_shares.revenue_rank /
    buying_account_count of mart_account_tiers.
-#}
{% macro tier_reached(tier) -%}
    {%- set top_share = var('tier_' ~ tier ~ '_top_account_share', none) -%}
    {%- if top_share is none -%}
        account_metrics.window_revenue_cny >= {{ var('tier_' ~ tier ~ '_min_revenue_cny') }}
    {%- elif top_share is number and not (top_share > 0 and top_share <= 1) -%}
        {{ exceptions.raise_compiler_error(
            'Invalid dbt parameters: tier_' ~ tier ~ '_top_account_share=' ~ top_share
            ~ ' (must be a share of accounts, 0 < share <= 1, or null)'
        ) }}
    {%- else -%}
        (
            account_metrics.window_revenue_cny > 0
            and pareto_shares.revenue_rank <= greatest(
                1, ceil(pareto_shares.buying_account_count * {{ top_share }})
            )
        )
    {%- endif -%}
{%- endmacro %}
