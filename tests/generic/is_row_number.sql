{#- The column numbers the rows 1..n with no gaps: no nulls, min 1, max = count(*). For a column made by
    row_number() this proves the grain in one pass over one column (no hashing): a join that fans rows out
    makes count(*) exceed the max; a filter after numbering leaves a gap. -#}
{% test is_row_number(model, column_name) %}

with

summary as (

    select
        count(*) as row_count,
        count({{ column_name }}) as numbered_rows,
        min({{ column_name }}) as lowest,
        max({{ column_name }}) as highest
    from {{ model }}

),

validation_errors as (

    select * from summary
    where
        row_count > 0
        and (numbered_rows != row_count or lowest != 1 or highest != row_count)

)

select * from validation_errors

{% endtest %}
