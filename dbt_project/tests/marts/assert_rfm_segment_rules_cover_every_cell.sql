-- Every one of the 125 (R, F, M) score cells must match at least one rule of the seed
-- rfm_segment_rules, so no account can end up without a segment. Returns uncovered cells.

with

segment_rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

scores as (

    {{ marts_number_series(5) }}

),

cells as (

    select
        r_scores.generated_number as r_score,
        f_scores.generated_number as f_score,
        m_scores.generated_number as m_score
    from scores as r_scores
    cross join scores as f_scores
    cross join scores as m_scores

),

matches as (

    select
        cells.r_score,
        cells.f_score,
        cells.m_score,
        count(segment_rules.segment_code) as matching_rule_count
    from cells
    left join segment_rules
        on
            cells.r_score between segment_rules.r_score_min and segment_rules.r_score_max
            and cells.f_score between segment_rules.f_score_min and segment_rules.f_score_max
            and cells.m_score between segment_rules.m_score_min and segment_rules.m_score_max
    group by cells.r_score, cells.f_score, cells.m_score

)

select * from matches
where matching_rule_count = 0
