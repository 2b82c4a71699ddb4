{{ config(enabled=target.type == 'duckdb', severity='warn') }}
-- A BG/NBD or Gamma-Gamma fit that did not converge or landed on the boundary is not used silently: its
-- sentence is logged as a warning (clv_model_parameters' post-hook) and this test warns. A warning, not an
-- error: Gamma-Gamma lands on the boundary on data whose spend follows purchase frequency (the built-in
-- sample's), against its assumption, and the rest of the build is still good. (With too few repeat
-- customers there is no fit, and nothing here fails.)

with

parameters as (

    select * from {{ ref('clv_model_parameters') }}

),

validation_errors as (

    select distinct
        model,
        problem
    from parameters
    where is_fitted and problem is not null

)

select * from validation_errors
