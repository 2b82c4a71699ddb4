{#-
    DuckDB reads a .csv, .csv.gz or .tsv input one file at a time, so that a malformed line (a wrong number of
    fields, a quote never closed) is quarantined instead of stopping the build: DuckDB's reader keeps such lines
    in its reject tables only when it neither sniffs the dialect nor unions files by name (store_rejects refuses
    union_by_name, and the sniffer gives up on a file with a broken quote). So each file's header is read here
    (the one compile-time query: the input's columns), every file is scanned with its own column list, and the
    scans are unioned by name. macros/rfm_quarantine_malformed_lines.sql turns the reject tables into rows.
-#}

{#- True for an input read this way: a .csv, .csv.gz or .tsv path on DuckDB (.txt is sniffed, so not). -#}
{% macro rfm_csv_pinned() -%}
    {%- if target.type == 'spark' or rfm_transactions_relation() is not none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set lowered = rfm_transactions_path() | lower -%}
    {{ return(lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv')) }}
{%- endmacro %}


{#- The reader options of a pinned CSV: RFC 4180 quoting; a tab for .tsv, else a comma. -#}
{% macro rfm_csv_dialect() -%}
    {{ return("delim = '" ~ rfm_csv_delimiter() ~ "', quote = '\"', escape = '\"'") }}
{%- endmacro %}


{% macro rfm_csv_delimiter() -%}
    {{ return('\t' if (rfm_transactions_path() | lower).endswith('.tsv') else ',') }}
{%- endmacro %}


{#- {file: [column, ...]} for the given files (default: every file matching transactions_path), in name order:
    each file's first line, read as one text (one short query for all files), split into fields here with the
    dialect's quoting. An empty field is named column<i> (0-based, as DuckDB's sniffer names it); a name repeated
    in one header is read as name_1, name_2. A file that is empty or starts with a blank line fails in one
    sentence. -#}
{% macro rfm_csv_headers(files=none) -%}
    {%- if files is none -%}
        {%- set files = run_query(
            'select file from glob(' ~ rfm_string_literal(rfm_transactions_path()) ~ ') order by file'
        ).columns[0].values() | list -%}
    {%- endif -%}
    {%- set headers = {} -%}
    {%- if files | length == 0 -%}
        {{ return(headers) }}
    {%- endif -%}
    {%- set header_sql -%}
        {%- for file in files %}
        {{ 'union all ' if not loop.first }}select {{ loop.index0 }} as file_index, line from (
            select line from read_csv({{ rfm_string_literal(file) }}, header = false, auto_detect = false,
                columns = {'line': 'varchar'}, delim = chr(31), quote = '', escape = '', strict_mode = false,
                hive_partitioning = false)
            limit 1
        )
        {%- endfor %}
    {%- endset -%}
    {%- set lines = {} -%}
    {%- for row in run_query(header_sql).rows -%}
        {%- do lines.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set delimiter = rfm_csv_delimiter() -%}
    {%- for file in files -%}
        {%- set line = (lines.get(loop.index0) or '').rstrip('\r\n') -%}
        {%- if line | trim == '' -%}
            {{ exceptions.raise_compiler_error(
                "The transactions file '" ~ file ~ "' has no header on its first line (it is empty or starts with a"
                ~ " blank line): write the header there, e.g. customer_id,transaction_at,amount."
            ) }}
        {%- endif -%}
        {%- set ns = namespace(field='', quoted=false, previous='', fields=[]) -%}
        {%- for character in line -%}
            {%- if character == '"' and not ns.quoted and ns.previous == '"' -%}
                {#- A doubled quote inside a quoted field: one literal quote. -#}
                {%- set ns.field = ns.field ~ '"' -%}
                {%- set ns.quoted = true -%}
            {%- elif character == '"' -%}
                {%- set ns.quoted = not ns.quoted -%}
            {%- elif character == delimiter and not ns.quoted -%}
                {%- do ns.fields.append(ns.field) -%}
                {%- set ns.field = '' -%}
            {%- else -%}
                {%- set ns.field = ns.field ~ character -%}
            {%- endif -%}
            {%- set ns.previous = character -%}
        {%- endfor -%}
        {%- do ns.fields.append(ns.field) -%}
        {%- set names = [] -%}
        {%- set seen = {} -%}
        {%- for value in ns.fields -%}
            {%- set value = value if value != '' else 'column' ~ loop.index0 -%}
            {%- set key = value | lower -%}
            {%- if key in seen -%}
                {%- do seen.update({key: seen[key] + 1}) -%}
                {%- do names.append(value ~ '_' ~ seen[key]) -%}
            {%- else -%}
                {%- do seen.update({key: 0}) -%}
                {%- do names.append(value) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do headers.update({file: names}) -%}
    {%- endfor -%}
    {{ return(headers) }}
{%- endmacro %}


{#- The files as one scan: every file with its own header, store_rejects on, unioned by name (a column a file
    lacks is null there). _rfm_file_index and _rfm_file_row_number (0-based, in read order: row_number() over ()
    keeps a file's order but runs on one thread) number the rows as Parquet's reader does. -#}
{% macro rfm_csv_scan(headers) -%}
    {#- Every column any file has, and every contract column by its mapped name, so that a run reading only new
        files that lack an optional column still has it (null). -#}
    {%- set all_names = [] -%}
    {%- for name in rfm_contract_columns() -%}
        {%- do all_names.append(rfm_transactions_columns().get(name) or name) -%}
    {%- endfor -%}
    {%- for names in headers.values() -%}
        {%- for name in names if name | lower not in all_names | map('lower') | list -%}
            {%- do all_names.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    (
        {%- for file, names in headers.items() %}
        {{ 'union all' if not loop.first }}
        select
            {{ loop.index0 }} as _rfm_file_index,
            row_number() over () - 1 as _rfm_file_row_number,
            {{ rfm_string_literal(file) }} as _rfm_source_file,
            {%- set lowered = names | map('lower') | list %}
            {%- for name in all_names %}
            {% if name | lower in lowered -%}
            {{ rfm_quote_identifier(names[lowered.index(name | lower)]) }}
            {%- else -%}
            cast(null as varchar)
            {%- endif %} as {{ rfm_quote_identifier(name) }}{{ ',' if not loop.last }}
            {%- endfor %}
        from read_csv(
            {{ rfm_string_literal(file) }}, header = true, auto_detect = false, {{ rfm_csv_dialect() }},
            -- A folder named key=value is not a column: the file holds every column there is.
            hive_partitioning = false,
            columns = { {%- for name in names %}{{ rfm_string_literal(name) }}: 'varchar'{{ ', ' if not loop.last }}{% endfor -%} },
            store_rejects = true, rejects_table = 'rfm_malformed_lines', rejects_scan = 'rfm_malformed_line_scans'
        )
        {%- endfor %}
    )
{%- endmacro %}
