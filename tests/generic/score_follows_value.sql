{#- Direction: a row with a better value_column never gets a lower score in column_name than a row with a
    worse one. "Better" is higher when higher_is_better, else lower (recency_days: fewer days is better).
    Rows are grouped by value, so the window's order is unique. With group_by (columns, comma-separated), within
    each group: scores drawn within groups (nested binning) only follow the value inside one. -#}
{% test score_follows_value(model, column_name, value_column, higher_is_better=true, group_by='') %}

with

per_value as (

    select
        {{ group_by ~ ',' if group_by }}
        {{ value_column }} as measured_value,
        min({{ column_name }}) as lowest_score,
        max({{ column_name }}) as highest_score
    from {{ model }}
    where {{ value_column }} is not null
    group by {{ group_by ~ ',' if group_by }} {{ value_column }}

),

with_previous as (

    -- Walk from the worst value to the best; the best score seen so far must never exceed a later lowest.
    select
        measured_value,
        lowest_score,
        max(highest_score) over (
            {{ 'partition by ' ~ group_by if group_by }}
            order by measured_value {{ 'asc' if higher_is_better else 'desc' }}
            rows between unbounded preceding and 1 preceding
        ) as best_score_of_worse_values
    from per_value

),

validation_errors as (

    select * from with_previous
    where lowest_score < best_score_of_worse_values

)

select * from validation_errors

{% endtest %}
