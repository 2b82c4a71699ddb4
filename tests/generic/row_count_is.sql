{#- The model has exactly `expected` rows (a one-row model's grain). -#}
{% test row_count_is(model, expected) %}

with

counted as (

    select count(*) as row_count from {{ model }}

),

validation_errors as (

    select * from counted
    where row_count != {{ expected }}

)

select * from validation_errors

{% endtest %}
