{#- Rows per file of the raw input (source_file, row_count), counted without the models: from the Parquet
    footers (no data read), or a count of the relation; none for CSV, whose only count is the scan's own
    numbering (the reconcile test then compares the rows classified with it). -#}
{% macro rfm_raw_row_count() -%}
    {{ return(adapter.dispatch('rfm_raw_row_count', 'rfm')(rfm_transactions_path())) }}
{%- endmacro %}


{% macro default__rfm_raw_row_count(path) -%}
    {%- set lowered = path | lower -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return('select ' ~ rfm_string_literal(path) ~ ' as source_file, count(*) as row_count from ' ~ path) }}
    {%- elif lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {{ return('select file_name as source_file, num_rows as row_count from parquet_file_metadata('
            ~ rfm_string_literal(path) ~ ')') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#- Spark: a count per file of the Parquet scan (answered from the footers' metadata), or of the relation. -#}
{% macro spark__rfm_raw_row_count(path) -%}
    {%- set lowered = path | lower -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return('select ' ~ rfm_string_literal(path) ~ ' as source_file, count(*) as row_count from ' ~ path) }}
    {%- elif lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {{ return('select _metadata.file_path as source_file, count(*) as row_count from '
            ~ rfm_transactions_scan() ~ ' group by _metadata.file_path') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
