{#- True when DuckDB numbers the input's rows itself: a Parquet file or glob (not a relation, not CSV) that has no
    column of its own named file_index or file_row_number, which would shadow the reader's virtual columns of
    those names (a column in some files of a glob would even number the others null). Such an input, like a CSV,
    is numbered in read order by row_number() over (), on one thread. Describing the input is the one
    compile-time query here (a Parquet footer read). -#}
{% macro rfm_parquet_numbered() -%}
    {%- set path = rfm_transactions_path() | lower -%}
    {%- if rfm_transactions_relation() is not none or not (path.endswith('.parquet') or path.endswith('.pq')) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if not rfm_can_introspect() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = default__rfm_describe_file(rfm_transactions_path(), rfm_transactions_scan()) -%}
    {{ return('file_index' not in found and 'file_row_number' not in found) }}
{%- endmacro %}
