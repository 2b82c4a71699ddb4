{#- The input's name: the relation (var transactions_relation) when one is set, else the file path or glob. -#}
{% macro rfm_transactions_path() -%}
    {%- set relation = rfm_transactions_relation() -%}
    {%- if relation is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set path = var('transactions_path') -%}
    {%- if path is not none and path is not string -%}
        {{ exceptions.raise_compiler_error(
            "var transactions_path must be a file path or glob as text, got " ~ rfm_shown(path) ~ "."
        ) }}
    {%- endif -%}
    {%- if path is none or (path | trim) == '' -%}
        {{ exceptions.raise_compiler_error(
            "No input is set: pass --vars '{transactions_path: <file>}' (or set RFM_TRANSACTIONS_PATH), or"
            ~ " --vars '{transactions_relation: <schema.table>}' for a table or view."
        ) }}
    {%- endif -%}
    {#- Installed as a package, the sample file is no default: it is the root project's checkout's. -#}
    {%- if execute and path == 'data/sample/transactions.csv' and rfm_package_mode() -%}
        {{ exceptions.raise_compiler_error(
            "No input is set for the rfm package: set transactions_relation (\"{{ ref('your_orders') }}\","
            ~ " a source() or schema.table) or transactions_path under vars: {rfm: {...}} in your dbt_project.yml."
        ) }}
    {%- endif -%}
    {{ return(path | string) }}
{%- endmacro %}


{#- files: the files to read (an incremental run reads only new and changed ones); none reads the whole path. -#}
{% macro rfm_transactions_scan(files=none) -%}
    {%- set relation = rfm_transactions_relation() -%}
    {%- if relation is not none -%}
        {{ return(adapter.dispatch('rfm_relation_scan', 'rfm')(relation)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('rfm_transactions_scan', 'rfm')(rfm_transactions_path(), files)) }}
{%- endmacro %}


{% macro default__rfm_transactions_scan(path, files=none) -%}
    {%- set lowered = path | lower -%}
    {%- set source = rfm_string_literal(path) if files is none else '[' ~ rfm_string_list(files) ~ ']' -%}
    {%- if lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {%- set scan -%}
            read_parquet({{ source }}, union_by_name = true, filename = '_rfm_source_file')
        {%- endset -%}
    {%- elif rfm_csv_pinned() and rfm_can_introspect() -%}
        {#- .csv and .tsv: the dialect is pinned (RFC 4180 quoting), every column is read as text (leading zeros
            survive, a bad value quarantines its row), file by file, so that a malformed line is quarantined
            too (macros/rfm_csv_scan.sql). -#}
        {{ return(rfm_csv_scan(rfm_csv_headers(files))) }}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {#- .txt is sniffed, so its files are read together and a malformed line stops the build with DuckDB's
            message naming it (never a silently shifted value); at parse time a pinned CSV is read this way too. -#}
        {%- set dialect = '' if lowered.endswith('.txt') else ', ' ~ rfm_csv_dialect() -%}
        {%- set scan -%}
            read_csv({{ source }}, all_varchar = true, header = true{{ dialect }}, union_by_name = true, filename = '_rfm_source_file')
        {%- endset -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' has an unsupported extension: use .csv, .csv.gz, .tsv, .txt, .parquet or .pq."
        ) }}
    {%- endif -%}
    {{ return(scan) }}
{%- endmacro %}


{#- Spark reads the files through an external table, staging.rfm_raw_transactions (its SQL has no table
    function with reader options, and a temporary view would hide the files' _metadata columns). The table is
    redefined on every call, at no cost beyond listing the files, and dropping it never touches them. CSV
    columns stay text (no schema inference) and a malformed line fails the read (FAILFAST) instead of becoming
    a row of nulls. Spark names each file by its full URI (file:/..., s3a://...), so source_file is that URI
    rather than the path as written. An incremental run's file list never reaches here: on Spark staging is
    rebuilt every run. -#}
{% macro spark__rfm_transactions_scan(path, files=none) -%}
    {%- if files is not none -%}
        {{ exceptions.raise_compiler_error("On Spark staging is rebuilt every run: a list of files to read is not supported.") }}
    {%- endif -%}
    {%- set lowered = path | lower -%}
    {%- if lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {%- set reader, options = 'parquet', {'mergeSchema': 'true'} -%}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv') -%}
        {%- set reader = 'csv' -%}
        {%- set options = {
            'header': 'true', 'inferSchema': 'false', 'mode': 'FAILFAST', 'quote': '"', 'escape': '"',
            'sep': '\t' if lowered.endswith('.tsv') else ',',
        } -%}
    {%- elif lowered.endswith('.txt') -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' is .txt, whose dialect only DuckDB sniffs: on Spark rename it .csv or .tsv."
        ) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' has an unsupported extension: use .csv, .csv.gz, .tsv, .parquet or .pq."
        ) }}
    {%- endif -%}
    {%- set raw = 'staging.rfm_raw_transactions' -%}
    {%- if rfm_can_introspect() -%}
        {%- if ':/' not in path and not path.startswith('/') -%}
            {%- if target.method != 'session' -%}
                {{ exceptions.raise_compiler_error(
                    "On a Spark cluster transactions_path must be absolute or a URI the cluster reads (s3a://, abfss://, hdfs://), got '" ~ path ~ "'."
                ) }}
            {%- endif -%}
            {#- A table resolves a relative path against the warehouse, not where dbt runs: anchor it on the
                driver's working directory (dbt's own in the session method), as DuckDB does. -#}
            {%- set working_dir = run_query("select reflect('java.lang.System', 'getProperty', 'user.dir')").columns[0].values()[0] -%}
            {%- set path = working_dir ~ '/' ~ path -%}
        {%- endif -%}
        {%- set reader_sql -%}
            using {{ reader }}
            options (path {{ rfm_string_literal(path) }}
                {%- for key, value in options.items() %}, {{ key }} {{ rfm_string_literal(value) }}{% endfor %})
        {%- endset -%}
        {#- A temporary view lists the files when it is defined (a table only when read): a path that matches
            nothing fails here with Spark's one-line PATH_NOT_FOUND naming it. -#}
        {%- do run_query('create or replace temporary view rfm_input_path_check ' ~ reader_sql) -%}
        {%- do run_query('create schema if not exists staging') -%}
        {%- do run_query('drop table if exists ' ~ raw) -%}
        {%- do run_query('create table ' ~ raw ~ ' ' ~ reader_sql) -%}
    {%- endif -%}
    {{ return(raw) }}
{%- endmacro %}


{#- How many files match transactions_path (a plain path: 0 or 1). -#}
{% macro rfm_matching_file_count() -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(run_query('select count(*) from glob(' ~ rfm_string_literal(rfm_transactions_path()) ~ ')').columns[0].values()[0]) }}
{%- endmacro %}
