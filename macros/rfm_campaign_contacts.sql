{#- Campaign contacts (models/*/campaigns): the file of who was contacted in which campaign, in the test or the
    control arm. Optional: without var campaign_contacts_path none of the campaign models is enabled
    (dbt_project.yml), so the default build is unchanged. DuckDB only. -#}

{#- var campaign_contacts_path: null, or a CSV (.csv, .csv.gz) or Parquet (.parquet, .pq) file or glob. -#}
{% macro rfm_campaign_contacts_path() -%}
    {%- set path = var('campaign_contacts_path') -%}
    {%- if path is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lowered = path | string | lower -%}
    {%- if path is not string or path | trim == '' or not (
        lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.parquet') or lowered.endswith('.pq')
    ) -%}
        {{ exceptions.raise_compiler_error(
            "var campaign_contacts_path must be null or a .csv, .csv.gz, .parquet or .pq file or glob, got "
            ~ rfm_shown(path) ~ "."
        ) }}
    {%- endif -%}
    {{ return(path) }}
{%- endmacro %}


{#- var response_window_days: a contact responded with a purchase in the days [contacted_at, + this). -#}
{% macro rfm_response_window_days() -%}
    {{ return(rfm_whole_number_var('response_window_days', 1, 3660)) }}
{%- endmacro %}


{#- The contacts file as one scan: every value as text for CSV (RFC 4180), typed for Parquet; the file of each
    row in _rfm_source_file. A malformed CSV line stops the build with DuckDB's message naming it. -#}
{% macro rfm_campaign_contacts_scan() -%}
    {%- set path = rfm_campaign_contacts_path() -%}
    {%- set lowered = path | lower -%}
    {%- if lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {{ return('read_parquet(' ~ rfm_string_literal(path) ~ ", union_by_name = true, filename = '_rfm_source_file')") }}
    {%- endif -%}
    {{ return('read_csv(' ~ rfm_string_literal(path) ~ ", all_varchar = true, header = true, delim = ',',"
        ~ " quote = '\"', escape = '\"', union_by_name = true, hive_partitioning = false,"
        ~ " filename = '_rfm_source_file')") }}
{%- endmacro %}


{#- {contract column: {'name': file column or none, 'is_text': bool, 'is_fractional': bool}} of the contacts
    file: the one compile-time query (the file's columns). A path that matches nothing, or a file without a
    required column, fails in one sentence. -#}
{% macro rfm_campaign_contacts_columns() -%}
    {%- set contract = {'customer_id': true, 'campaign_id': true, 'contacted_at': true, 'arm': true, 'strategy': false} -%}
    {%- set resolved = {} -%}
    {%- if not rfm_can_introspect() -%}
        {%- for name in contract -%}
            {%- do resolved.update({name: {'name': name, 'is_text': true, 'is_fractional': false}}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}
    {%- set path = rfm_campaign_contacts_path() -%}
    {%- if run_query('select count(*) from glob(' ~ rfm_string_literal(path) ~ ')').columns[0].values()[0] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The campaign contacts file '" ~ path ~ "' does not exist (no file matches var campaign_contacts_path)."
        ) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for row in run_query('describe select * exclude (_rfm_source_file) from ' ~ rfm_campaign_contacts_scan()) -%}
        {%- set column_type = row['column_type'] | upper -%}
        {%- do found.update({row['column_name'] | lower: {
            'name': row['column_name'],
            'is_text': column_type == 'VARCHAR',
            'is_fractional': column_type in ('FLOAT', 'DOUBLE', 'REAL') or column_type.startswith('DECIMAL'),
        }}) -%}
    {%- endfor -%}
    {%- for name, required in contract.items() -%}
        {%- if name in found -%}
            {%- do resolved.update({name: found[name]}) -%}
        {%- elif required -%}
            {{ exceptions.raise_compiler_error(
                "The campaign contacts file '" ~ path ~ "' has no column '" ~ name ~ "' (columns found: "
                ~ (found.values() | map(attribute='name') | join(', '))
                ~ "); it needs customer_id, campaign_id, contacted_at and arm (strategy is optional)."
            ) }}
        {%- else -%}
            {%- do resolved.update({name: {'name': none, 'is_text': true, 'is_fractional': false}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}
