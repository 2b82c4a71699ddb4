{#- R, F and M scores in 1..rfm_bins, higher is better, with the tie rule in docs block `rfm_tie_rule`
    (the steps are macros/rfm_scoring.sql, shared with the point-in-time history). -#}
with

customers as (

    select * from {{ ref('int_transactions_aggregated_to_customers') }}

),

{{ rfm_score_ctes('customers') }}

select * from scored
