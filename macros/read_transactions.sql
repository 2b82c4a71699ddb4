{#-
    The input contract: one transactions file (CSV or Parquet by extension; a glob of several works) with
    customer_id, transaction_at, amount and optionally transaction_id. Extra columns are ignored.

    rfm_transactions_file_columns() checks the file once per compile (it exists, it has the required columns)
    and says, per contract column, which file column holds it and whether it is text. read_transactions()
    then selects exactly the contract's columns, values untouched: parsing and quarantine happen in
    stg_transactions_classified, so that a rejected row keeps its original value.
-#}

{% macro rfm_contract_columns() -%}
    {#- contract column -> required -#}
    {{ return({'customer_id': true, 'transaction_at': true, 'amount': true, 'transaction_id': false}) }}
{%- endmacro %}


{#- A SQL string literal for any text, quotes included (paths with spaces or quotes work): the one way a
    free-text value (a path, a var, a message) enters SQL. -#}
{% macro rfm_string_literal(value) -%}
    {{ return(adapter.dispatch('rfm_string_literal', 'rfm')(value)) }}
{%- endmacro %}


{% macro default__rfm_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- Spark's literals take backslash escapes: a backslash is doubled, a quote escaped. -#}
{% macro spark__rfm_string_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{#- A column name quoted for SQL, whatever it holds (a mapped name with a quote in it stays one name). -#}
{% macro rfm_quote_identifier(name) -%}
    {{ return(adapter.dispatch('rfm_quote_identifier', 'rfm')(name)) }}
{%- endmacro %}


{% macro default__rfm_quote_identifier(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}


{% macro spark__rfm_quote_identifier(name) -%}
    `{{ name | replace('`', '``') }}`
{%- endmacro %}


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
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {#- Every CSV column is read as text: leading zeros survive and a bad value quarantines its row
            instead of failing the whole read. The dialect is pinned for .csv and .tsv (RFC 4180 quoting) so
            one malformed line cannot make the sniffer guess another delimiter; such a line stops the build
            with DuckDB's message naming it (never a silently shifted value). .txt is sniffed. -#}
        {%- if lowered.endswith('.txt') -%}
            {%- set dialect = '' -%}
        {%- else -%}
            {%- set dialect = ", delim = '" ~ ('\t' if lowered.endswith('.tsv') else ',') ~ "', quote = '\"', escape = '\"'" -%}
        {%- endif -%}
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


{#- {contract column: {'name': file column or none, 'is_text': bool}}; at parse time, the contract's own names. -#}
{% macro rfm_transactions_file_columns() -%}
    {%- set mapping = rfm_transactions_columns() -%}
    {%- set contract = rfm_contract_columns() -%}

    {%- set resolved = {} -%}
    {%- if not rfm_can_introspect() -%}
        {%- for name in contract -%}
            {%- do resolved.update({name: {'name': name, 'is_text': true, 'is_fractional': false, 'is_integer': false}}) -%}
        {%- endfor -%}
        {{ return(resolved) }}
    {%- endif -%}

    {%- set path = rfm_transactions_path() -%}
    {%- if rfm_transactions_relation() is not none -%}
        {%- do rfm_check_input_relation() -%}
    {%- endif -%}
    {%- set scan = rfm_transactions_scan() -%}
    {%- set found = adapter.dispatch('rfm_describe_file', 'rfm')(path, scan) -%}
    {%- for name, required in contract.items() -%}
        {%- set wanted = (mapping.get(name) or name) | lower -%}
        {#- A repeated header is read as `amount` and `amount_1`: which one is meant must be said, not guessed
            (the first one would win silently). An explicit mapping settles it. -#}
        {%- if name not in mapping and wanted in found and (wanted ~ '_1') in found -%}
            {{ exceptions.raise_compiler_error(
                "The transactions " ~ rfm_input_kind() ~ " '" ~ path ~ "' has two columns that read as '" ~ wanted ~ "' ("
                ~ found[wanted].name ~ " and " ~ found[wanted ~ '_1'].name ~ ", a repeated header?); rename one, or map the one"
                ~ " you mean with var transactions_columns, e.g. {" ~ name ~ ": " ~ found[wanted ~ '_1'].name ~ "}."
            ) }}
        {%- endif -%}
        {%- if wanted in found -%}
            {%- do resolved.update({name: found[wanted]}) -%}
        {%- elif required -%}
            {{ exceptions.raise_compiler_error(
                "The transactions " ~ rfm_input_kind() ~ " '" ~ path ~ "' has no column '" ~ wanted ~ "' for " ~ name
                ~ " (columns found: " ~ (found.values() | map(attribute='name') | join(', '))
                ~ "); rename it or map it with var transactions_columns."
            ) }}
        {%- else -%}
            {%- do resolved.update({name: {'name': none, 'is_text': true, 'is_fractional': false, 'is_integer': false}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(resolved) }}
{%- endmacro %}


{#- {lowercased file column: {'name': column, 'is_text': bool}}, failing in one sentence when nothing matches the path. -#}
{#- How many files match transactions_path (a plain path: 0 or 1). -#}
{% macro rfm_matching_file_count() -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(run_query('select count(*) from glob(' ~ rfm_string_literal(rfm_transactions_path()) ~ ')').columns[0].values()[0]) }}
{%- endmacro %}




{% macro default__rfm_describe_file(path, scan) -%}
    {%- if rfm_matching_file_count() == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The transactions file '" ~ path ~ "' does not exist (no file matches that path): run `rfm generate` or pass --vars '{transactions_path: <file>}'."
        ) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for row in run_query('describe select * exclude (_rfm_source_file) from ' ~ scan) -%}
        {%- set column_type = row['column_type'] | upper -%}
        {%- do found.update({row['column_name'] | lower: {
            'name': row['column_name'],
            'is_text': column_type == 'VARCHAR',
            'is_fractional': column_type in ('FLOAT', 'DOUBLE', 'REAL') or column_type.startswith('DECIMAL'),
            'is_integer': column_type in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
                                          'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'),
        }}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro spark__rfm_describe_file(path, scan) -%}
    {#- A path that matches nothing has already failed in the scan, with Spark's PATH_NOT_FOUND naming it. -#}
    {%- set found = {} -%}
    {%- for row in run_query('describe ' ~ scan) -%}
        {%- set column_type = row['data_type'] | lower -%}
        {%- if row['col_name'] and not row['col_name'].startswith('#') -%}
            {%- do found.update({row['col_name'] | lower: {
                'name': row['col_name'],
                'is_text': column_type == 'string' or column_type.startswith('varchar') or column_type.startswith('char'),
                'is_fractional': column_type in ('float', 'double') or column_type.startswith('decimal'),
                'is_integer': column_type in ('tinyint', 'smallint', 'int', 'bigint'),
            }}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro read_transactions(columns, files=none) -%}
    {{ return(adapter.dispatch('read_transactions', 'rfm')(columns, files)) }}
{%- endmacro %}


{#- source_row_number is the row's 1-based position in its own file (header excluded). Rows are numbered in read
    order, which DuckDB keeps (preserve_insertion_order, on by default), then made relative to their file when a
    glob reads several. (Parquet's own file_row_number reads in parallel, but keeping insertion order then
    costs more memory and time in the write than it saves: 195 s / 18.8 GB against 175 s / 10.6 GB at 100M.) -#}
{% macro default__read_transactions(columns, files=none) -%}
    {%- if rfm_transactions_relation() is not none -%}
        {{ return(rfm_read_relation(rfm_transactions_relation(), columns)) }}
    {%- endif -%}
    {%- set nothing_to_read = files is not none and files | length == 0 -%}
    {%- if files is not none -%}
        {%- set several_files = files | length > 1 -%}
    {%- elif rfm_can_introspect() -%}
        {%- set several_files = rfm_matching_file_count() > 1 -%}
    {%- else -%}
        {%- set several_files = true -%}
    {%- endif -%}
    select
        {%- if several_files %}
        read_position - min(read_position) over (partition by _rfm_source_file) + 1 as source_row_number,
        {%- else %}
        read_position as source_row_number,
        {%- endif %}
        _rfm_source_file as source_file,
        -- Global position (files in name order, then rows): what "the earliest copy" means, as one integer.
        read_position,
        {{- rfm_contract_column_list(columns) }}
    from (
        select
            row_number() over () as read_position,
            *
        from {{ rfm_transactions_scan(none if nothing_to_read else files) }}
        {%- if nothing_to_read %}
        -- No new or changed file: the scan's columns and no rows (DuckDB plans this without reading).
        where false
        {%- endif %}
    ) as scanned
{%- endmacro %}


{#- Spark: a file's rows are numbered in read order, which is block (split) start, then the scan's own order
    within a split (monotonically_increasing_id grows within each task). read_position is (file, row) as a
    struct, which Spark orders field by field: the same "files in name order, then rows" with no global sort. -#}
{% macro spark__read_transactions(columns, files=none) -%}
    {%- if files is not none -%}
        {{ exceptions.raise_compiler_error("On Spark staging is rebuilt every run: a list of files to read is not supported.") }}
    {%- endif -%}
    {%- set relation = rfm_transactions_relation() -%}
    {%- if relation is not none %}
    {{ rfm_read_relation(relation, columns) }}
    {%- else -%}
    select
        _rfm_row_number as source_row_number,
        _rfm_source_file as source_file,
        named_struct('source_file', _rfm_source_file, 'row', _rfm_row_number) as read_position,
        {{- rfm_contract_column_list(columns) }}
    from (
        select
            row_number() over (
                partition by _rfm_source_file order by _rfm_block_start, _rfm_scan_order
            ) as _rfm_row_number,
            *
        from (
            select
                _metadata.file_path as _rfm_source_file,
                _metadata.file_block_start as _rfm_block_start,
                monotonically_increasing_id() as _rfm_scan_order,
                *
            from {{ rfm_transactions_scan() }}
        ) as scanned
    ) as numbered
    {%- endif %}
{%- endmacro %}


{#- The contract's columns as the file holds them, values untouched, each under its contract name. -#}
{% macro rfm_contract_column_list(columns) -%}
        {%- for name, column in columns.items() %}
        {% if column.name is none -%}
        -- No such column in the file: every row is its own transaction and nothing is deduplicated.
        cast(null as {{ dbt.type_string() }})
        {%- else -%}
        {{ rfm_quote_identifier(column.name) }}
        {%- endif %} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{#- An amount as decimal, or null. try_cast, not dbt.safe_cast: dbt-duckdb renders safe_cast as a plain cast,
    which fails the whole build on 'n/a'. DuckDB and Spark (3.2+) both spell it try_cast. Text is trimmed first
    and must be a plain number (sign, digits, a decimal point, an exponent): DuckDB's cast also reads digit
    groups ('1_000' as 1000), which no export means. Typed columns are parsed as they are. -#}
{% macro rfm_parse_amount(name, is_text, type) -%}
    {%- if is_text -%}
        case when instr({{ name }}, '_') = 0 then try_cast(trim({{ name }}) as {{ type }}) end
    {%- else -%}
        try_cast({{ name }} as {{ type }})
    {%- endif -%}
{%- endmacro %}


{#- A timestamp, or null. Text must be ISO 8601 (YYYY-MM-DD, optionally a time; an offset is ignored): try_cast
    alone also takes 'infinity', 'epoch' and two-digit years ('25-06-30'), so the fifth character must be the
    date's first dash. Typed values must be finite. Cheaper than a regular expression at 100M rows. -#}
{% macro rfm_parse_timestamp(name, is_text) -%}
    {{ return(adapter.dispatch('rfm_parse_timestamp', 'rfm')(name, is_text)) }}
{%- endmacro %}


{% macro default__rfm_parse_timestamp(name, is_text) -%}
    {%- if is_text -%}
        case when substr(trim({{ name }}), 5, 1) = '-' then try_cast(trim({{ name }}) as timestamp) end
    {%- else -%}
        case when isfinite(try_cast({{ name }} as timestamp)) then try_cast({{ name }} as timestamp) end
    {%- endif -%}
{%- endmacro %}


{#- Spark: the same accepted texts as DuckDB. Its cast would also take '2025-01' and '2025-06-30T10', which
    DuckDB rejects, hence the shape check; and it would apply an offset where DuckDB drops it, hence the cast
    through timestamp_ntz (which ignores a zone). Typed values are always finite on Spark. -#}
{% macro spark__rfm_parse_timestamp(name, is_text) -%}
    {%- if is_text -%}
        case
            when trim({{ name }}) rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}($|[ T][0-9]{1,2}:[0-9]{2})'
                then cast(try_cast(trim({{ name }}) as timestamp_ntz) as timestamp)
        end
    {%- else -%}
        try_cast({{ name }} as timestamp)
    {%- endif -%}
{%- endmacro %}


{#- An id as text, trimmed of whitespace and invisible characters (rfm_trim_invisible), or null when blank. An
    id stored as a fractional number type (a pandas integer column with gaps becomes DOUBLE) is written as the
    whole number it holds, so 101.0 and '101' are one customer. -#}
{% macro rfm_id_text(name, is_fractional) -%}
    {%- if is_fractional -%}
        nullif(trim(cast(
            case when {{ name }} = floor({{ name }}) then cast(cast({{ name }} as bigint) as {{ dbt.type_string() }})
            else cast({{ name }} as {{ dbt.type_string() }}) end
            as {{ dbt.type_string() }}
        )), '')
    {%- else -%}
        nullif({{ rfm_trim_invisible('cast(' ~ name ~ ' as ' ~ dbt.type_string() ~ ')') }}, '')
    {%- endif -%}
{%- endmacro %}


{#- Rows in the raw input, counted without the models: from the Parquet footers (no data read), or by a plain
    count of the CSV scan. The nothing-dropped test compares it with staged + rejected. -#}
{% macro rfm_raw_row_count() -%}
    {{ return(adapter.dispatch('rfm_raw_row_count', 'rfm')(rfm_transactions_path())) }}
{%- endmacro %}


{% macro default__rfm_raw_row_count(path) -%}
    {%- set lowered = path | lower -%}
    {%- if rfm_transactions_relation() is not none -%}
        select count(*) as row_count from {{ path }}
    {%- elif lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        select sum(num_rows) as row_count from parquet_file_metadata({{ rfm_string_literal(path) }})
    {%- else -%}
        select count(*) as row_count from {{ rfm_transactions_scan() }}
    {%- endif -%}
{%- endmacro %}


{#- Spark: a plain count of the scan (Parquet answers it from the footers). -#}
{% macro spark__rfm_raw_row_count(path) -%}
    select count(*) as row_count from {{ rfm_transactions_scan() }}
{%- endmacro %}
