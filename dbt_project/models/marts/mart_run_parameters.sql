-- Every parameter the marts were built with, so any mart number can be traced to its
-- settings. Grain: one row per parameter (see macro marts_parameters). parameter_value is
-- the value of this run (dbt_project.yml default or --vars override); resolved_value is
-- what the models used (for as_of_date: the resolved date).

{%- set parameters = marts_parameters() %}

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

parameters as (

    {%- for parameter in parameters %}
    select
        {{ loop.index }} as sort_order,
        '{{ parameter.name }}' as parameter_name,
        '{{ parameter.group }}' as parameter_group,
        '{{ dbt.escape_single_quotes(parameter.value_text) }}' as parameter_value,
        '{{ dbt.escape_single_quotes(parameter.description) }}' as description
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        {{ marts_int('parameters.sort_order') }} as sort_order,
        parameters.parameter_name,
        parameters.parameter_group,
        parameters.parameter_value,
        case
            when parameters.parameter_name = 'as_of_date'
                then cast(as_of.as_of_date as {{ dbt.type_string() }})
            else parameters.parameter_value
        end as resolved_value,
        parameters.description,
        as_of.as_of_date,
        as_of.as_of_date_source,
        {{ marts_invocation_id() }} as dbt_invocation_id,
        {{ marts_run_started_at() }} as run_started_at
    from parameters
    cross join as_of

)

select * from final
