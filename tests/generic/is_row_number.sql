{#- The column numbers the rows 1..n with no gaps (per partition_by group when given): no nulls, min 1,
    max = count(*). For a column made by row_number() or a file's own row numbers this proves the grain in one
    pass over one column (no hashing): a join that fans rows out makes count(*) exceed the max; a filter after
    numbering leaves a gap. -#}
{% test is_row_number(model, column_name, partition_by=none) %}

with

summary as (

    select
        {%- if partition_by %}
        {{ partition_by }},
        {%- endif %}
        count(*) as row_count,
        count({{ column_name }}) as numbered_rows,
        min({{ column_name }}) as lowest,
        max({{ column_name }}) as highest
    from {{ model }}
    {%- if partition_by %}
    group by {{ partition_by }}
    {%- endif %}

),

validation_errors as (

    select * from summary
    where numbered_rows != row_count or lowest != 1 or highest != row_count

)

select * from validation_errors

{% endtest %}
