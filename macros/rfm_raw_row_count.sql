{#- Rows per file of the raw input (source_file, row_count), counted without the models: a relation's count, or
    the Parquet footers (no data read); none for CSV, whose only count is the scan's own numbering (the
    reconcile test then compares the rows classified with it). -#}
{% macro rfm_raw_row_count() -%}
    {%- set relation = rfm_transactions_relation() -%}
    {%- if relation is not none -%}
        {{ return('select ' ~ rfm_string_literal(relation) ~ ' as source_file, count(*) as row_count from ' ~ relation) }}
    {%- endif -%}
    {%- set lowered = rfm_transactions_path() | lower -%}
    {%- if not (lowered.endswith('.parquet') or lowered.endswith('.pq')) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.dispatch('rfm_raw_row_count', 'rfm')(rfm_transactions_path())) }}
{%- endmacro %}


{% macro default__rfm_raw_row_count(path) -%}
    {{ return('select file_name as source_file, num_rows as row_count from parquet_file_metadata('
        ~ rfm_string_literal(path) ~ ')') }}
{%- endmacro %}


{#- Spark: a count per file of the Parquet scan (answered from the footers' metadata). -#}
{% macro spark__rfm_raw_row_count(path) -%}
    {{ return('select _metadata.file_path as source_file, count(*) as row_count from '
        ~ rfm_transactions_scan() ~ ' group by _metadata.file_path') }}
{%- endmacro %}
