{#- The optional marts rfm_publication writes beside its fixed list: the campaign marts when var
    campaign_contacts_path is set (on DuckDB), else none. Their refs make the publication run after them and
    after their tests, as it does after every other mart. -#}
{{ config(materialized='view') }}
{%- set campaigns = rfm_campaign_contacts_path() is not none and target.type == 'duckdb' %}

{%- if campaigns %}
-- depends_on: {{ ref('campaign_response') }}
-- depends_on: {{ ref('strategy_evaluation') }}
{%- endif %}

with

optional_marts as (

    {%- if campaigns %}
        select 'campaign_response' as mart_name
        union all
        select 'strategy_evaluation' as mart_name
    {%- else %}
        select cast(null as {{ dbt.type_string() }}) as mart_name
        where false
    {%- endif %}

)

select * from optional_marts
